package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The operator's RBAC is the least it needs: named resources, named verbs, namespaced where it can
 * be.
 */
class ChartRbacTest {

  private static final Set<String> WRITE_VERBS =
      Set.of("create", "update", "patch", "delete", "deletecollection");

  /** One rule, flattened to one (group, resource, verb) per row. */
  record Grant(
      String role,
      String namespace,
      String group,
      String resource,
      String verb,
      List<String> resourceNames) {}

  @Test
  void noWildcardsAnywhere() {
    for (Map<String, Object> values :
        List.of(
            Map.<String, Object>of(), Map.<String, Object>of("webhook.tls.mode", "cert-manager"))) {
      for (Grant grant : grants(ChartRenderer.render(values))) {
        assertThat(List.of(grant.group(), grant.resource(), grant.verb()))
            .as("%s", grant)
            .doesNotContain("*");
        assertThat(grant.verb()).as("%s", grant).isNotIn("escalate", "bind", "impersonate");
      }
    }
  }

  @Test
  void secretsAreWritableOnlyAsDocumented() {
    List<Grant> grants = grants(ChartRenderer.render());
    List<Grant> secretWrites =
        grants.stream()
            .filter(g -> g.resource().equals("secrets") && WRITE_VERBS.contains(g.verb()))
            .toList();
    // Credential copies in Workflow namespaces: create/update/patch/delete, never deletecollection.
    assertThat(secretWrites.stream().filter(g -> g.role().endsWith("-workloads")).map(Grant::verb))
        .containsExactlyInAnyOrder("create", "update", "patch", "delete");
    // The webhook TLS Secret: create in the operator's namespace, rewrites only by name.
    List<Grant> ownNamespace =
        secretWrites.stream().filter(g -> !g.role().endsWith("-workloads")).toList();
    assertThat(ownNamespace)
        .allSatisfy(
            g -> {
              assertThat(g.namespace()).isEqualTo(ChartRenderer.NAMESPACE);
              if (!g.verb().equals("create")) {
                assertThat(g.resourceNames()).containsExactly("aihandler-webhook-tls");
              }
            });
    assertThat(secretWrites).noneMatch(g -> g.verb().equals("deletecollection"));

    // With cert-manager the operator only reads its TLS Secret.
    List<Grant> certManager =
        grants(ChartRenderer.render(Map.of("webhook.tls.mode", "cert-manager")));
    assertThat(
            certManager.stream()
                .filter(
                    g ->
                        g.resource().equals("secrets")
                            && g.namespace().equals(ChartRenderer.NAMESPACE)))
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.verb()).isEqualTo("get");
              assertThat(g.resourceNames()).containsExactly("aihandler-webhook-tls");
            });
  }

  @Test
  void leasesAreNamespacedToTheOperator() {
    ChartRenderer.Rendered rendered = ChartRenderer.render();
    List<Grant> leases =
        grants(rendered).stream().filter(g -> g.resource().equals("leases")).toList();
    assertThat(leases)
        .isNotEmpty()
        .allSatisfy(
            g -> {
              assertThat(g.group()).isEqualTo("coordination.k8s.io");
              assertThat(g.namespace())
                  .as("Lease rules live in a Role")
                  .isEqualTo(ChartRenderer.NAMESPACE);
              if (!g.verb().equals("create")) {
                assertThat(g.resourceNames())
                    .containsExactly(rendered.operatorEnvironment().get("LEADER_ELECTION_LEASE"));
              }
            });
    assertThat(leases).extracting(Grant::verb).containsExactlyInAnyOrder("create", "get", "update");
  }

  @Test
  void customResourcesAreReadAndOnlyTheirStatusWritten() {
    List<Grant> grants = grants(ChartRenderer.render());
    for (String plural : List.of("modelbackends", "routingpolicies", "workflows")) {
      assertThat(verbs(grants, "aihandler.io", plural))
          .containsExactlyInAnyOrder("get", "list", "watch");
      assertThat(verbs(grants, "aihandler.io", plural + "/status"))
          .containsExactlyInAnyOrder("get", "update", "patch");
    }
  }

  @Test
  void everyOtherResourceHasExactlyTheVerbsTheOperatorUses() {
    List<Grant> grants = grants(ChartRenderer.render());
    List<String> crud = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    assertThat(verbs(grants, "apps", "deployments")).containsExactlyInAnyOrderElementsOf(crud);
    assertThat(verbs(grants, "", "services")).containsExactlyInAnyOrderElementsOf(crud);
    assertThat(verbs(grants, "", "persistentvolumeclaims"))
        .containsExactlyInAnyOrderElementsOf(crud);
    assertThat(verbs(grants, "policy", "poddisruptionbudgets"))
        .containsExactlyInAnyOrderElementsOf(crud);
    assertThat(verbs(grants, "", "configmaps")).containsExactlyInAnyOrderElementsOf(crud);
    assertThat(verbs(grants, "networking.k8s.io", "networkpolicies"))
        .containsExactlyInAnyOrderElementsOf(crud);
    assertThat(verbs(grants, "", "pods")).containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(grants, "", "namespaces")).containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(grants, "", "events")).containsExactlyInAnyOrder("create", "patch");
    assertThat(verbs(grants, "authorization.k8s.io", "selfsubjectrulesreviews"))
        .containsExactly("create");
    assertThat(verbs(grants, "authentication.k8s.io", "tokenreviews")).containsExactly("create");

    Set<String> granted =
        Set.copyOf(grants.stream().map(g -> g.group() + "/" + g.resource()).toList());
    assertThat(granted)
        .containsExactlyInAnyOrder(
            "aihandler.io/modelbackends",
            "aihandler.io/routingpolicies",
            "aihandler.io/workflows",
            "aihandler.io/modelbackends/status",
            "aihandler.io/routingpolicies/status",
            "aihandler.io/workflows/status",
            "aihandler.io/modelbackends/finalizers",
            "aihandler.io/workflows/finalizers",
            "apps/deployments",
            "/services",
            "/persistentvolumeclaims",
            "policy/poddisruptionbudgets",
            "/pods",
            "/configmaps",
            "networking.k8s.io/networkpolicies",
            "/secrets",
            "/events",
            "/namespaces",
            "coordination.k8s.io/leases",
            "admissionregistration.k8s.io/mutatingwebhookconfigurations",
            "admissionregistration.k8s.io/validatingwebhookconfigurations",
            "authorization.k8s.io/selfsubjectrulesreviews",
            "authentication.k8s.io/tokenreviews");
  }

  @Test
  void webhookConfigurationsAreWritableOnlyByName() {
    ChartRenderer.Rendered rendered = ChartRenderer.render();
    Map<String, String> env = rendered.operatorEnvironment();
    for (Grant grant : grants(rendered)) {
      if (grant.resource().equals("mutatingwebhookconfigurations")) {
        assertThat(grant.resourceNames())
            .containsExactly(env.get("MUTATING_WEBHOOK_CONFIGURATION"));
      }
      if (grant.resource().equals("validatingwebhookconfigurations")) {
        assertThat(grant.resourceNames())
            .containsExactly(env.get("VALIDATING_WEBHOOK_CONFIGURATION"));
      }
    }
    assertThat(
            verbs(
                grants(rendered), "admissionregistration.k8s.io", "mutatingwebhookconfigurations"))
        .containsExactlyInAnyOrder("get", "update", "patch");
    // cert-manager's CA injector writes the caBundle; the operator only reads.
    assertThat(
            verbs(
                grants(ChartRenderer.render(Map.of("webhook.tls.mode", "cert-manager"))),
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations"))
        .containsExactly("get");
  }

  @Test
  void bindingsGiveTheRolesToTheOperatorsServiceAccount() {
    ChartRenderer.Rendered rendered = ChartRenderer.render();
    String serviceAccount =
        rendered.single("ServiceAccount").path("metadata").path("name").asText();
    assertThat(
            rendered
                .single("Deployment")
                .path("spec")
                .path("template")
                .path("spec")
                .path("serviceAccountName")
                .asText())
        .isEqualTo(serviceAccount);
    List<JsonNode> bindings = new ArrayList<>(rendered.ofKind("ClusterRoleBinding"));
    bindings.addAll(rendered.ofKind("RoleBinding"));
    assertThat(bindings)
        .hasSize(3)
        .allSatisfy(
            binding -> {
              JsonNode subject = binding.path("subjects").get(0);
              assertThat(subject.path("name").asText()).isEqualTo(serviceAccount);
              assertThat(subject.path("namespace").asText()).isEqualTo(ChartRenderer.NAMESPACE);
              String roleKind = binding.path("roleRef").path("kind").asText();
              assertThat(rendered.find(roleKind, binding.path("roleRef").path("name").asText()))
                  .as("role of %s", binding.path("metadata").path("name"))
                  .isPresent();
            });
  }

  @Test
  void watchedNamespacesGetTheWorkloadRulesOnlyThere() {
    ChartRenderer.Rendered rendered =
        ChartRenderer.render(
            Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"));
    String workloads = ChartRenderer.NAMESPACE + "-aihandler-workloads";
    assertThat(rendered.find("ClusterRoleBinding", workloads)).isEmpty();
    assertThat(rendered.find("ClusterRole", workloads)).isEmpty();
    List<JsonNode> perNamespace =
        rendered.ofKind("RoleBinding").stream()
            .filter(b -> b.path("roleRef").path("name").asText().equals("aihandler-workloads"))
            .toList();
    assertThat(perNamespace)
        .extracting(b -> b.path("metadata").path("namespace").asText())
        .containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(perNamespace)
        .allSatisfy(b -> assertThat(b.path("roleRef").path("kind").asText()).isEqualTo("Role"));
  }

  private static List<String> verbs(List<Grant> grants, String group, String resource) {
    return grants.stream()
        .filter(g -> g.group().equals(group) && g.resource().equals(resource))
        .map(Grant::verb)
        .toList();
  }

  /**
   * Every (group, resource, verb) the chart's ClusterRoles and Roles grant the operator; the
   * ClusterRoles aggregated into the built-in user roles are not the operator's.
   */
  static List<Grant> grants(ChartRenderer.Rendered rendered) {
    List<Grant> grants = new ArrayList<>();
    List<JsonNode> roles = new ArrayList<>(rendered.ofKind("ClusterRole"));
    roles.addAll(rendered.ofKind("Role"));
    roles.removeIf(ChartLeastPrivilegeTest::aggregated);
    for (JsonNode role : roles) {
      String name = role.path("metadata").path("name").asText();
      String namespace =
          role.path("kind").asText().equals("Role")
              ? role.path("metadata").path("namespace").asText()
              : "";
      for (JsonNode rule : role.path("rules")) {
        List<String> names = texts(rule.path("resourceNames"));
        for (String group : texts(rule.path("apiGroups"))) {
          for (String resource : texts(rule.path("resources"))) {
            for (String verb : texts(rule.path("verbs"))) {
              grants.add(new Grant(name, namespace, group, resource, verb, names));
            }
          }
        }
      }
    }
    return grants;
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
