package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.testing.CelRuleEvaluator;
import io.aihandler.api.testing.Manifests;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What kubectl users see of the CRDs: names, subresources, columns, and documented fields. */
class CrdShapeTest {

  private static JsonNode crd(String plural) {
    return Manifests.read(Manifests.generatedCrd(plural)).get(0);
  }

  @Test
  void everyKindIsNamespacedWithShortNameCategoryAndStatusSubresource() {
    for (var kind :
        List.of(
            List.of("modelbackends", "mb"),
            List.of("routingpolicies", "rp"),
            List.of("workflows", "aiwf"))) {
      JsonNode crd = crd(kind.get(0));
      assertThat(crd.at("/spec/group").asText()).isEqualTo("aihandler.io");
      assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
      assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo(kind.get(1));
      assertThat(crd.at("/spec/names/categories/0").asText()).isEqualTo("aihandler");
      assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1alpha1");
      assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    }
  }

  /**
   * Short names of CRDs that clusters running this operator commonly also run: Argo Workflows, CD,
   * Rollouts and Events, Knative, Istio, Tekton, Crossplane, KServe, Flux, cert-manager, Prometheus
   * Operator and Kueue. kubectl resolves a short name to whichever kind registered it, so sharing
   * one makes {@code kubectl get} silently show the other project's resources.
   */
  private static final Set<String> SHORT_NAMES_OF_WIDELY_INSTALLED_CRDS =
      Set.of(
          "wf",
          "cwf",
          "cronwf",
          "wftmpl",
          "cwftmpl",
          "clusterwftmpl",
          "wfeb",
          "wfts",
          "wftr",
          "wfat",
          "app",
          "apps",
          "appproj",
          "appprojs",
          "appset",
          "appsets",
          "ro",
          "at",
          "ar",
          "cat",
          "exp",
          "es",
          "eb",
          "sn",
          "ksvc",
          "kservice",
          "rt",
          "cfg",
          "config",
          "rev",
          "kroute",
          "kcfg",
          "vs",
          "dr",
          "gw",
          "se",
          "we",
          "wg",
          "pa",
          "ra",
          "tr",
          "trs",
          "pr",
          "prs",
          "tkn",
          "xrd",
          "xrds",
          "comp",
          "pkg",
          "pkgrev",
          "cfgrev",
          "mr",
          "isvc",
          "ig",
          "tm",
          "sr",
          "ks",
          "hr",
          "gitrepo",
          "helmrepo",
          "helmchart",
          "ocirepo",
          "imgrepo",
          "imgpol",
          "cert",
          "certs",
          "cr",
          "crs",
          "smon",
          "pmon",
          "promrule",
          "am",
          "prom",
          "wl",
          "lq",
          "cq",
          "rf");

  @Test
  void shortNamesCollideWithNoWidelyInstalledCrd() {
    for (String plural : List.of("modelbackends", "routingpolicies", "workflows")) {
      List<String> shortNames = new ArrayList<>();
      crd(plural).at("/spec/names/shortNames").forEach(name -> shortNames.add(name.asText()));
      assertThat(shortNames)
          .as(plural)
          .isNotEmpty()
          .doesNotContainAnyElementsOf(SHORT_NAMES_OF_WIDELY_INSTALLED_CRDS);
    }
    JsonNode workflow = crd("workflows").at("/spec/names");
    assertThat(workflow.path("kind").asText()).isEqualTo("Workflow");
    assertThat(workflow.path("categories").toString()).isEqualTo("[\"aihandler\"]");
  }

  @Test
  void modelBackendHasTheScaleSubresourceOnTheVllmReplicas() {
    JsonNode scale = crd("modelbackends").at("/spec/versions/0/subresources/scale");
    assertThat(scale.path("specReplicasPath").asText()).isEqualTo(".spec.vllm.replicas");
    assertThat(scale.path("statusReplicasPath").asText()).isEqualTo(".status.replicas");
    assertThat(scale.path("labelSelectorPath").asText()).isEqualTo(".status.selector");
  }

  @Test
  void printerColumnsAnswerIsItWorkingAndWhyNotInDeclaredOrder() {
    assertThat(columns("modelbackends", 0))
        .containsExactly("Type", "Model", "Ready", "Available", "Desired", "Reason", "Age");
    assertThat(columns("modelbackends", 1))
        .containsExactly("Endpoint", "GPU-Hours", "Saved", "Message");
    assertThat(columns("routingpolicies", 0)).containsExactly("Ready", "Reason", "Age");
    assertThat(columns("workflows", 0))
        .containsExactly("Policy", "Ready", "Reason", "Advice", "Age");
    assertThat(columns("workflows", 1)).containsExactly("Config", "Message");
    JsonNode ready = crd("modelbackends").at("/spec/versions/0/additionalPrinterColumns/2");
    assertThat(ready.path("jsonPath").asText())
        .isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"modelbackends", "routingpolicies", "workflows"})
  void everyFieldIsDescribedForKubectlExplain(String plural) {
    JsonNode schema = crd(plural).at("/spec/versions/0/schema/openAPIV3Schema");
    assertThat(schema.path("description").asText()).isNotBlank();
    List<String> undescribed = new ArrayList<>();
    collectUndescribed(schema.path("properties"), "", undescribed);
    assertThat(undescribed).as("fields without a description in " + plural).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"modelbackends", "routingpolicies", "workflows"})
  void embeddedKubernetesFieldsCarryKubernetesOwnDescriptions(String plural) {
    JsonNode status = crd(plural).at("/spec/versions/0/schema/openAPIV3Schema/properties/status");
    assertThat(
            status
                .at("/properties/conditions/items/properties/lastTransitionTime/description")
                .asText())
        .startsWith("lastTransitionTime is the last time the condition transitioned");
    if (plural.equals("modelbackends")) {
      JsonNode vllm =
          crd(plural).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/vllm");
      assertThat(
              vllm.at(
                      "/properties/placement/properties/tolerations/items/properties/tolerationSeconds/description")
                  .asText())
          .startsWith("TolerationSeconds represents the period of time the toleration");
      assertThat(
              vllm.at(
                      "/properties/env/items/properties/valueFrom/properties/secretKeyRef/properties/key/description")
                  .asText())
          .isEqualTo("The key of the secret to select from.  Must be a valid secret key.");
      // Our own words stay where we wrote them.
      assertThat(vllm.at("/properties/placement/properties/affinity/description").asText())
          .isEqualTo("Node and pod affinity rules.");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"modelbackends", "routingpolicies", "workflows"})
  void conditionsAreAListMapKeyedByType(String plural) {
    JsonNode conditions =
        crd(plural)
            .at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/conditions");
    assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(conditions.path("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"type\"]");
    List<String> required = new ArrayList<>();
    conditions.at("/items/required").forEach(name -> required.add(name.asText()));
    assertThat(required).as("a list-map key must be required").contains("type");

    var admission = io.aihandler.api.testing.CrdAdmission.load(Manifests.generatedCrd(plural));
    String kind = admission.kind();
    String twoReady =
        """
        apiVersion: aihandler.io/v1alpha1
        kind: %s
        metadata: {name: x}
        status:
          conditions:
          - {type: Ready, status: "True", reason: Ready, message: ok, lastTransitionTime: "2026-01-01T00:00:00Z"}
          - {type: Ready, status: "False", reason: Failing, message: no, lastTransitionTime: "2026-01-01T00:00:00Z"}
        """
            .formatted(kind);
    assertThat(admission.admit(Manifests.parse(twoReady)))
        .anyMatch(error -> error.contains("Duplicate value"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"modelbackends", "routingpolicies", "workflows"})
  void everyCelRuleCompilesAndHasAHumanMessage(String plural) {
    CelRuleEvaluator cel = new CelRuleEvaluator();
    List<JsonNode> rules = new ArrayList<>();
    collectRules(crd(plural).at("/spec/versions/0/schema/openAPIV3Schema"), rules);
    assertThat(rules).isNotEmpty();
    for (JsonNode rule : rules) {
      cel.compile(rule.path("rule").asText());
      if (rule.has("messageExpression")) {
        cel.compile(rule.path("messageExpression").asText());
      } else {
        assertThat(rule.path("message").asText()).as(rule.toString()).hasSizeGreaterThan(20);
      }
    }
  }

  private static List<String> columns(String plural, int priority) {
    List<String> names = new ArrayList<>();
    crd(plural)
        .at("/spec/versions/0/additionalPrinterColumns")
        .forEach(
            column -> {
              if (column.path("priority").asInt() == priority) {
                names.add(column.path("name").asText());
              }
            });
    return names;
  }

  /**
   * Every property at any depth, including those of the embedded Kubernetes types (EnvVar,
   * Affinity, Condition, ...) whose descriptions the build carries over from Kubernetes' OpenAPI.
   */
  private static void collectUndescribed(JsonNode properties, String path, List<String> out) {
    properties
        .properties()
        .forEach(
            property -> {
              String fieldPath = path + "." + property.getKey();
              JsonNode schema = property.getValue();
              if (schema.path("description").asText().isBlank()) {
                out.add(fieldPath);
              }
              Stream.of(schema, schema.path("items"), schema.path("additionalProperties"))
                  .map(node -> node.path("properties"))
                  .filter(JsonNode::isObject)
                  .forEach(nested -> collectUndescribed(nested, fieldPath, out));
            });
  }

  private static void collectRules(JsonNode schema, List<JsonNode> out) {
    schema.path("x-kubernetes-validations").forEach(out::add);
    schema.path("properties").forEach(child -> collectRules(child, out));
    if (schema.has("items")) {
      collectRules(schema.get("items"), out);
    }
  }
}
