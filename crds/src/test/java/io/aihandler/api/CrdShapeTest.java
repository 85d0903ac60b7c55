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

  /**
   * Fields whose schema comes from Kubernetes' own types (EnvVar, ResourceRequirements, Affinity,
   * ...); fabric8's model carries no descriptions for their inner fields.
   */
  private static final Set<String> EMBEDDED_KUBERNETES_TYPES =
      Set.of(
          "env", "resources", "affinity", "tolerations", "topologySpreadConstraints",
          "namespaceSelector", "conditions");

  private static JsonNode crd(String plural) {
    return Manifests.read(Manifests.generatedCrd(plural)).get(0);
  }

  @Test
  void everyKindIsNamespacedWithShortNameCategoryAndStatusSubresource() {
    for (var kind : List.of(List.of("modelbackends", "mb"), List.of("routingpolicies", "rp"), List.of("workflows", "wf"))) {
      JsonNode crd = crd(kind.get(0));
      assertThat(crd.at("/spec/group").asText()).isEqualTo("aihandler.io");
      assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
      assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo(kind.get(1));
      assertThat(crd.at("/spec/names/categories/0").asText()).isEqualTo("aihandler");
      assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1alpha1");
      assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    }
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
    assertThat(columns("modelbackends", 1)).containsExactly("Endpoint", "Message");
    assertThat(columns("routingpolicies", 0)).containsExactly("Ready", "Reason", "Age");
    assertThat(columns("workflows", 0)).containsExactly("Policy", "Ready", "Reason", "Age");
    assertThat(columns("workflows", 1)).containsExactly("Config", "Message");
    JsonNode ready = crd("modelbackends").at("/spec/versions/0/additionalPrinterColumns/2");
    assertThat(ready.path("jsonPath").asText())
        .isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"modelbackends", "routingpolicies", "workflows"})
  void everyFieldOfOurOwnIsDescribedForKubectlExplain(String plural) {
    JsonNode schema = crd(plural).at("/spec/versions/0/schema/openAPIV3Schema");
    assertThat(schema.path("description").asText()).isNotBlank();
    List<String> undescribed = new ArrayList<>();
    collectUndescribed(schema.path("properties"), "", undescribed);
    assertThat(undescribed).as("fields without a description in " + plural).isEmpty();
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
              if (EMBEDDED_KUBERNETES_TYPES.contains(property.getKey())) {
                return;
              }
              Stream.of(schema, schema.path("items"))
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
