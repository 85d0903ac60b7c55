package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.testing.KubernetesSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Least privilege as a platform team reviews it: with watchNamespaces the operator holds Secrets
 * and Deployments only in those namespaces, cluster-wide rights are a choice made by name,
 * namespace users get the three kinds through the built-in roles, and the sidecar's pull Secrets
 * reach the operator.
 */
class ChartLeastPrivilegeTest {

  private static final Map<String, Object> NAMESPACED =
      Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b");
  private static final Set<String> WRITE_VERBS =
      Set.of("create", "update", "patch", "delete", "deletecollection");

  /** Whether a ClusterRole is one aggregated into the built-in user-facing roles. */
  static boolean aggregated(JsonNode role) {
    var labels = role.path("metadata").path("labels");
    return labels.has("rbac.authorization.k8s.io/aggregate-to-admin")
        || labels.has("rbac.authorization.k8s.io/aggregate-to-edit")
        || labels.has("rbac.authorization.k8s.io/aggregate-to-view");
  }

  @Test
  void inNamespacedModeSecretsDeploymentsAndNetworkPoliciesAreGrantedOnlyInTheWatchedNamespaces() {
    ChartRenderer.Rendered rendered = ChartRenderer.render(NAMESPACED);
    List<ChartRbacTest.Grant> grants = ChartRbacTest.grants(rendered);
    for (String resource :
        List.of("secrets", "deployments", "configmaps", "networkpolicies", "pods", "services")) {
      assertThat(grants)
          .filteredOn(g -> g.resource().equals(resource))
          .as(resource)
          .isNotEmpty()
          .allSatisfy(
              g ->
                  assertThat(g.namespace())
                      .as("%s", g)
                      .isIn("team-a", "team-b", ChartRenderer.NAMESPACE));
    }
    // Outside the watched namespaces only the webhook's own TLS Secret, in the release namespace.
    assertThat(grants)
        .filteredOn(
            g ->
                g.resource().equals("secrets")
                    && g.namespace().equals(ChartRenderer.NAMESPACE)
                    && !g.verb().equals("create"))
        .allSatisfy(g -> assertThat(g.resourceNames()).containsExactly("aihandler-webhook-tls"));
    for (String namespace : List.of("team-a", "team-b")) {
      JsonNode role =
          rendered.ofKind("Role").stream()
              .filter(r -> r.path("metadata").path("namespace").asText().equals(namespace))
              .findFirst()
              .orElseThrow();
      JsonNode binding =
          rendered.ofKind("RoleBinding").stream()
              .filter(b -> b.path("metadata").path("namespace").asText().equals(namespace))
              .findFirst()
              .orElseThrow();
      assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("Role");
      assertThat(binding.path("roleRef").path("name").asText())
          .isEqualTo(role.path("metadata").path("name").asText());
    }
    // What stays cluster-wide is read-only namespaces (shareWith selectors), the operator's own
    // webhook configurations by name, its permission self-check, and the TokenReviews that
    // authenticate activations.
    assertThat(grants)
        .filteredOn(g -> g.namespace().isEmpty())
        .extracting(ChartRbacTest.Grant::resource)
        .containsOnly(
            "namespaces",
            "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations",
            "selfsubjectrulesreviews",
            "tokenreviews");
    assertThat(rendered.operatorEnvironment()).containsEntry("WATCH_NAMESPACES", "team-a,team-b");
  }

  @Test
  void clusterWideRightsAreAChoiceMadeByName() {
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("watchAllNamespaces", false)))
        .hasMessageContaining("set watchNamespaces");
    ChartRenderer.Rendered cluster = ChartRenderer.render(Map.of("watchAllNamespaces", true));
    assertThat(cluster.find("ClusterRoleBinding", ChartRenderer.NAMESPACE + "-aihandler-workloads"))
        .isPresent();
    assertThat(ChartRbacTest.grants(cluster))
        .filteredOn(
            g ->
                g.resource().equals("secrets")
                    && WRITE_VERBS.contains(g.verb())
                    && g.namespace().isEmpty())
        .isNotEmpty();
    // Naming namespaces wins: no cluster-wide workload rights even with watchAllNamespaces left on.
    ChartRenderer.Rendered both =
        ChartRenderer.render(Map.of("watchAllNamespaces", true, "watchNamespaces[0]", "team-a"));
    assertThat(both.find("ClusterRole", ChartRenderer.NAMESPACE + "-aihandler-workloads"))
        .isEmpty();
  }

  @Test
  void namespaceAdminsAndEditorsManageTheThreeKindsAndViewersReadThem() {
    ChartRenderer.Rendered rendered = ChartRenderer.render(NAMESPACED);
    List<JsonNode> aggregated =
        rendered.ofKind("ClusterRole").stream()
            .filter(ChartLeastPrivilegeTest::aggregated)
            .toList();
    assertThat(aggregated).hasSize(2);
    JsonNode edit =
        aggregated.stream()
            .filter(
                r ->
                    r.path("metadata")
                        .path("labels")
                        .has("rbac.authorization.k8s.io/aggregate-to-edit"))
            .findFirst()
            .orElseThrow();
    JsonNode view =
        aggregated.stream()
            .filter(
                r ->
                    r.path("metadata")
                        .path("labels")
                        .has("rbac.authorization.k8s.io/aggregate-to-view"))
            .findFirst()
            .orElseThrow();
    assertThat(
            edit.path("metadata")
                .path("labels")
                .path("rbac.authorization.k8s.io/aggregate-to-admin")
                .asText())
        .isEqualTo("true");
    assertThat(
            edit.path("metadata")
                .path("labels")
                .path("rbac.authorization.k8s.io/aggregate-to-edit")
                .asText())
        .isEqualTo("true");
    assertThat(
            view.path("metadata").path("labels").has("rbac.authorization.k8s.io/aggregate-to-edit"))
        .isFalse();

    List<String[]> editGrants = flatten(edit);
    List<String[]> viewGrants = flatten(view);
    for (String kind : List.of("modelbackends", "routingpolicies", "workflows")) {
      assertThat(editGrants)
          .filteredOn(g -> g[1].equals(kind))
          .extracting(g -> g[2])
          .containsExactlyInAnyOrder(
              "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");
      assertThat(viewGrants)
          .filteredOn(g -> g[1].equals(kind))
          .extracting(g -> g[2])
          .containsExactlyInAnyOrder("get", "list", "watch");
      // The status is the operator's to write.
      assertThat(editGrants)
          .filteredOn(g -> g[1].equals(kind + "/status"))
          .extracting(g -> g[2])
          .containsExactly("get");
    }
    assertThat(editGrants)
        .as("only the three kinds")
        .allSatisfy(g -> assertThat(g[0]).isEqualTo("aihandler.io"));
    assertThat(viewGrants)
        .allSatisfy(
            g -> {
              assertThat(g[0]).isEqualTo("aihandler.io");
              assertThat(WRITE_VERBS).doesNotContain(g[2]);
            });

    assertThat(
            ChartRenderer.render(Map.of("rbac.aggregateToDefaultRoles", false))
                .ofKind("ClusterRole"))
        .noneMatch(ChartLeastPrivilegeTest::aggregated);
  }

  @Test
  void theSidecarsPullSecretsReachTheOperator() {
    assertThat(ChartRenderer.render().operatorEnvironment())
        .doesNotContainKey("SIDECAR_IMAGE_PULL_SECRETS");
    assertThat(
            ChartRenderer.render(
                    Map.of(
                        "sidecar.imagePullSecrets[0]",
                        "registry-a",
                        "sidecar.imagePullSecrets[1]",
                        "registry-b"))
                .operatorEnvironment())
        .containsEntry("SIDECAR_IMAGE_PULL_SECRETS", "registry-a,registry-b");
    assertThatThrownBy(
            () -> ChartRenderer.render(Map.of("sidecar.imagePullSecrets[0]", "Not A Name")))
        .hasMessageContaining("imagePullSecrets");
  }

  @Test
  void everyObjectOfTheseVariationsIsValidAgainstTheStrictSchemas() {
    var schemas = KubernetesSchemas.locate();
    Assumptions.assumeTrue(schemas.isPresent(), KubernetesSchemas.missingMessage());
    List<String> errors = new ArrayList<>();
    for (Map<String, Object> values :
        List.of(
            NAMESPACED,
            Map.<String, Object>of("watchAllNamespaces", true),
            Map.<String, Object>of("sidecar.imagePullSecrets[0]", "registry-a"))) {
      for (JsonNode object : ChartRenderer.render(values).objects()) {
        if (object
            .path("kind")
            .asText()
            .matches("Role|RoleBinding|ClusterRole|ClusterRoleBinding|Deployment")) {
          errors.addAll(schemas.get().validate(object));
        }
      }
    }
    assertThat(errors).isEmpty();
  }

  /** (group, resource, verb) of every rule of a role. */
  private static List<String[]> flatten(JsonNode role) {
    List<String[]> grants = new ArrayList<>();
    for (JsonNode rule : role.path("rules")) {
      for (JsonNode group : rule.path("apiGroups")) {
        for (JsonNode resource : rule.path("resources")) {
          for (JsonNode verb : rule.path("verbs")) {
            grants.add(new String[] {group.asText(), resource.asText(), verb.asText()});
          }
        }
      }
    }
    return grants;
  }
}
