package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.testing.CrdAdmission;
import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.api.testing.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The examples are meant to be applied as they are: every custom resource passes the generated CRDs
 * (OpenAPI and CEL), every built-in object passes the strict Kubernetes schemas, and every
 * reference between them resolves.
 */
class ExamplesTest {

  private static final Map<String, CrdAdmission> CRDS =
      Map.of(
          "ModelBackend", Manifests.admissionFor("modelbackends"),
          "RoutingPolicy", Manifests.admissionFor("routingpolicies"),
          "Workflow", Manifests.admissionFor("workflows"));

  private static List<JsonNode> objects;

  @BeforeAll
  static void readExamples() throws IOException {
    Path examples = Manifests.repositoryRoot().resolve("examples");
    try (Stream<Path> files = Files.list(examples)) {
      objects =
          files
              .filter(file -> file.toString().endsWith(".yaml"))
              .sorted()
              .flatMap(file -> Manifests.read(file).stream())
              .toList();
    }
  }

  @Test
  void theReferenceScenarioIsComplete() {
    assertThat(names("ModelBackend"))
        .containsExactlyInAnyOrder(
            "llama-3-3-70b",
            "claude",
            "gpt-4o",
            "gemini-flash",
            "bge-m3",
            "text-embedding-3-small");
    assertThat(names("RoutingPolicy")).containsExactly("support-routing");
    assertThat(names("Workflow")).containsExactly("support-tickets");
    assertThat(names("Deployment")).containsExactly("support-app");
    JsonNode workflow = only("Workflow");
    List<String> tasks = new ArrayList<>();
    workflow.at("/spec/tasks").forEach(task -> tasks.add(task.path("name").asText()));
    assertThat(tasks)
        .containsExactly(
            "classify-ticket",
            "summarize-thread",
            "extract-entities",
            "embed-tickets",
            "embed-articles");
    JsonNode llama = byName("ModelBackend", "llama-3-3-70b");
    assertThat(llama.at("/spec/vllm/gpus").asInt()).isEqualTo(4);
    assertThat(llama.at("/spec/vllm/scaling").isObject()).isTrue();
    // The embedding models' published vector lengths.
    assertThat(
            byName("ModelBackend", "bge-m3").at("/spec/capabilities/embeddings/dimensions").asInt())
        .isEqualTo(1024);
    assertThat(
            byName("ModelBackend", "text-embedding-3-small")
                .at("/spec/capabilities/embeddings/dimensions")
                .asInt())
        .isEqualTo(1536);
  }

  @Test
  void embeddingRoutesNeverMixVectorSpaces() {
    JsonNode policy = only("RoutingPolicy");
    String policyNamespace = policy.at("/metadata/namespace").asText();
    int embeddingRoutes = 0;
    for (JsonNode route : policy.at("/spec/routes")) {
      Set<String> spaces = new HashSet<>();
      int embedding = 0;
      for (JsonNode target : route.path("targets")) {
        JsonNode backend = byName("ModelBackend", target.at("/backend/name").asText());
        assertThat(backend.at("/metadata/namespace").asText())
            .isEqualTo(target.at("/backend/namespace").asText(policyNamespace));
        JsonNode embeddings = backend.at("/spec/capabilities/embeddings");
        if (embeddings.isObject()) {
          embedding++;
          String space =
              embeddings.path("vectorSpace").asText(backend.at("/spec/hosted/model").asText());
          spaces.add(space + "/" + embeddings.path("dimensions").asInt());
        }
      }
      if (embedding > 0) {
        embeddingRoutes++;
        assertThat(embedding)
            .as("route " + route.path("name").asText() + " has only embedding backends")
            .isEqualTo(route.path("targets").size());
        assertThat(spaces)
            .as("route " + route.path("name").asText() + " has one vector space")
            .hasSize(1);
      }
    }
    assertThat(embeddingRoutes).isEqualTo(2);
  }

  /**
   * The Llama's comment shows how to make it scale to zero; the lines it gives are checked as if
   * they were in place, so the comment cannot go stale.
   */
  @Test
  void theScaleToZeroVariantTheLlamaCommentShowsIsAccepted() throws IOException {
    String text =
        Files.readString(Manifests.repositoryRoot().resolve("examples/20-model-backends.yaml"));
    Matcher lines =
        Pattern.compile("(?m)^ *#   minReplicas: (\\d+)\\n *#   scaleToZeroAfter: (\\S+)$")
            .matcher(text);
    assertThat(lines.find()).as("the Llama's comment shows the scale-to-zero lines").isTrue();
    ObjectNode llama = byName("ModelBackend", "llama-3-3-70b").deepCopy();
    ObjectNode scaling = (ObjectNode) llama.at("/spec/vllm/scaling");
    scaling.put("minReplicas", Integer.parseInt(lines.group(1)));
    scaling.put("scaleToZeroAfter", lines.group(2));
    assertThat(lines.group(1)).isEqualTo("0");
    assertThat(CRDS.get("ModelBackend").admit(llama)).isEmpty();

    // The two lines go together: the CRD refuses the window alone.
    ObjectNode halfway = byName("ModelBackend", "llama-3-3-70b").deepCopy();
    ((ObjectNode) halfway.at("/spec/vllm/scaling")).put("scaleToZeroAfter", lines.group(2));
    assertThat(CRDS.get("ModelBackend").admit(halfway))
        .anySatisfy(error -> assertThat(error).contains("scaleToZeroAfter applies only"));
  }

  @Test
  void everyCustomResourceIsAcceptedByItsCrd() {
    for (JsonNode object : objects) {
      CrdAdmission crd = CRDS.get(object.path("kind").asText());
      if (crd != null) {
        assertThat(crd.admit(object)).as(describe(object)).isEmpty();
      }
    }
  }

  @Test
  void everyBuiltInObjectPassesTheStrictKubernetesSchemas() {
    Optional<KubernetesSchemas> schemas = KubernetesSchemas.locate();
    if (schemas.isEmpty()) {
      System.out.println(KubernetesSchemas.missingMessage());
    }
    assumeThat(schemas).as(KubernetesSchemas.missingMessage()).isPresent();
    int validated = 0;
    for (JsonNode object : objects) {
      if (!object.path("apiVersion").asText().startsWith("aihandler.io/")) {
        assertThat(schemas.get().validate(object)).as(describe(object)).isEmpty();
        validated++;
      }
    }
    assertThat(validated).isGreaterThanOrEqualTo(7);
  }

  @Test
  void everyReferenceResolves() {
    JsonNode policy = only("RoutingPolicy");
    String policyNamespace = policy.at("/metadata/namespace").asText();
    Set<String> routes = new HashSet<>();
    Set<String> dataClasses = new HashSet<>();
    policy.at("/spec/routes").forEach(route -> routes.add(route.path("name").asText()));
    policy
        .at("/spec/dataClasses")
        .forEach(dataClass -> dataClasses.add(dataClass.path("name").asText()));

    policy
        .at("/spec/routes")
        .forEach(
            route ->
                route
                    .path("targets")
                    .forEach(
                        target -> {
                          String namespace =
                              target.at("/backend/namespace").asText(policyNamespace);
                          JsonNode backend =
                              byName("ModelBackend", target.at("/backend/name").asText());
                          assertThat(backend.at("/metadata/namespace").asText())
                              .isEqualTo(namespace);
                          if (!namespace.equals(policyNamespace)
                              && backend.at("/spec/hosted").isObject()) {
                            assertThat(sharedWith(backend, policyNamespace))
                                .as(
                                    backend.at("/metadata/name").asText()
                                        + " shares with "
                                        + policyNamespace)
                                .isTrue();
                          }
                        }));

    JsonNode workflow = only("Workflow");
    assertThat(workflow.at("/spec/policyRef/name").asText())
        .isEqualTo(policy.at("/metadata/name").asText());
    assertThat(workflow.at("/metadata/namespace").asText()).isEqualTo(policyNamespace);
    workflow
        .at("/spec/tasks")
        .forEach(
            task -> {
              assertThat(routes).contains(task.path("route").asText());
              if (task.has("dataClass")) {
                assertThat(dataClasses).contains(task.path("dataClass").asText());
              }
            });

    for (JsonNode backend : ofKind("ModelBackend")) {
      Stream.of(
              backend.at("/spec/hosted/credentials/secretRef"),
              backend.at("/spec/vllm/hfTokenSecretRef"))
          .filter(JsonNode::isObject)
          .forEach(
              ref -> {
                JsonNode secret = byName("Secret", ref.path("name").asText());
                assertThat(secret.at("/metadata/namespace"))
                    .isEqualTo(backend.at("/metadata/namespace"));
                assertThat(secret.at("/stringData").has(ref.path("key").asText())).isTrue();
              });
    }

    JsonNode app = only("Deployment");
    assertThat(app.at("/spec/template/metadata/labels").path("aihandler.io/workflow").asText())
        .isEqualTo(workflow.at("/metadata/name").asText());
    assertThat(app.at("/metadata/namespace")).isEqualTo(workflow.at("/metadata/namespace"));
  }

  private static boolean sharedWith(JsonNode backend, String namespace) {
    JsonNode shareWith = backend.at("/spec/hosted/shareWith");
    for (JsonNode listed : shareWith.path("namespaces")) {
      if (listed.asText().equals(namespace)) {
        return true;
      }
    }
    JsonNode wanted = shareWith.at("/namespaceSelector/matchLabels");
    JsonNode labels = byName("Namespace", namespace).at("/metadata/labels");
    if (!wanted.isObject()) {
      return false;
    }
    return wanted.properties().stream()
        .allMatch(label -> labels.path(label.getKey()).asText().equals(label.getValue().asText()));
  }

  private static List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(object -> object.path("kind").asText().equals(kind)).toList();
  }

  private static List<String> names(String kind) {
    return ofKind(kind).stream().map(object -> object.at("/metadata/name").asText()).toList();
  }

  private static JsonNode only(String kind) {
    assertThat(ofKind(kind)).hasSize(1);
    return ofKind(kind).get(0);
  }

  private static JsonNode byName(String kind, String name) {
    return ofKind(kind).stream()
        .filter(object -> object.at("/metadata/name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("examples have no " + kind + " named " + name));
  }

  private static String describe(JsonNode object) {
    return object.path("kind").asText() + " " + object.at("/metadata/name").asText();
  }
}
