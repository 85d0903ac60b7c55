package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.hosted.ProviderProbe;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.testing.ModelBackends;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.EmbeddingCapability;
import io.aihandler.router.config.RouterConfig;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the router document says about embedding backends, loaded back by the sidecar's loader. */
class RouterConfigRendererTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private static final List<ModelBackend> BACKENDS =
      List.of(
          ModelBackends.fromYaml(
              """
              apiVersion: aihandler.io/v1alpha1
              kind: ModelBackend
              metadata: {name: bge-m3, namespace: models}
              spec:
                vllm: {model: "hf://BAAI/bge-m3", servedModelName: bge}
                capabilities:
                  chat: false
                  embeddings: {dimensions: 1024, maxInputs: 512}
              """),
          ModelBackends.fromYaml(
              """
              apiVersion: aihandler.io/v1alpha1
              kind: ModelBackend
              metadata: {name: bge-m3-spare, namespace: models}
              spec:
                vllm: {model: "hf://BAAI/bge-m3"}
                capabilities:
                  chat: false
                  embeddings: {dimensions: 1024}
              """),
          ModelBackends.fromYaml(
              """
              apiVersion: aihandler.io/v1alpha1
              kind: ModelBackend
              metadata: {name: small, namespace: models}
              spec:
                hosted:
                  provider: openai
                  model: text-embedding-3-small
                  credentials: {secretRef: {name: k, key: k}}
                capabilities:
                  chat: false
                  embeddings: {dimensions: 1536, maxInputs: 2048}
              """),
          ModelBackends.fromYaml(
              """
              apiVersion: aihandler.io/v1alpha1
              kind: ModelBackend
              metadata: {name: azure-small, namespace: models}
              spec:
                hosted:
                  provider: azure-openai
                  model: my-embedding-deployment
                  baseUrl: https://my-resource.openai.azure.com
                  credentials: {secretRef: {name: k, key: k}}
                capabilities:
                  chat: false
                  embeddings: {dimensions: 1536, vectorSpace: text-embedding-3-small}
              """),
          ModelBackends.fromYaml(
              """
              apiVersion: aihandler.io/v1alpha1
              kind: ModelBackend
              metadata: {name: qwen, namespace: models}
              spec:
                vllm: {model: "hf://Qwen/Qwen2.5-7B-Instruct"}
                capabilities: {contextWindow: 32768}
              """));

  private static RouterConfig render() {
    RoutingPolicy policy =
        YAML.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: RoutingPolicy
            metadata: {name: p, namespace: models}
            spec:
              routes:
              - name: local-embeddings
                targets:
                - backend: {name: bge-m3}
                  priority: 0
                - backend: {name: bge-m3-spare}
                  priority: 1
              - name: openai-embeddings
                targets:
                - backend: {name: small}
                  priority: 0
                - backend: {name: azure-small}
                  priority: 1
              - name: chat
                targets:
                - backend: {name: qwen}
            """,
            RoutingPolicy.class);
    Workflow workflow =
        YAML.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: Workflow
            metadata: {name: w, namespace: models}
            spec:
              policyRef: {name: p}
              tasks:
              - {name: embed-docs, route: local-embeddings}
              - {name: answer, route: chat}
            """,
            Workflow.class);
    Map<BackendKey, ModelBackend> byKey =
        BACKENDS.stream().collect(Collectors.toMap(BackendKey::of, Function.identity()));
    var routes =
        RoutingPolicyResolution.resolve(
                policy, key -> Optional.ofNullable(byKey.get(key)), ns -> Map.of())
            .routes();
    var rendered =
        RouterConfigRenderer.render(
            workflow,
            policy,
            routes,
            Set.of(new BackendKey("models", "small"), new BackendKey("models", "azure-small")),
            ProviderEndpoints.PUBLIC);
    assertThat(rendered.problems()).isEmpty();
    return rendered.config();
  }

  @Test
  void embeddingCapabilitiesArriveFieldForField() {
    RouterConfig config = render();
    Backend bge = config.backend("bge-m3").orElseThrow();
    assertThat(bge.model()).isEqualTo("bge");
    assertThat(bge.capabilities().chat()).isFalse();
    assertThat(bge.capabilities().embeddings())
        .isEqualTo(new EmbeddingCapability(1024, "BAAI/bge-m3", 512));
    assertThat(config.backend("small").orElseThrow().capabilities().embeddings())
        .isEqualTo(new EmbeddingCapability(1536, "text-embedding-3-small", 2048));
    Backend qwen = config.backend("qwen").orElseThrow();
    assertThat(qwen.capabilities().chat()).isTrue();
    assertThat(qwen.capabilities().embeddings()).isNull();
    assertThat(qwen.capabilities().contextWindow()).isEqualTo(32768);
  }

  @Test
  void theVectorSpaceComesFromTheWeightsSoTwoServersOfOneModelAreOneSpace() {
    RouterConfig config = render();
    // Served as "bge" and as "bge-m3-spare": the sidecar's own default (the served name) would
    // call these two spaces; the document names the weights.
    assertThat(config.backend("bge-m3").orElseThrow().embeddingVectorSpace())
        .isEqualTo(config.backend("bge-m3-spare").orElseThrow().embeddingVectorSpace())
        .isEqualTo("BAAI/bge-m3");
    // A declared space is kept: an Azure deployment of OpenAI's model is OpenAI's space.
    assertThat(config.backend("azure-small").orElseThrow().embeddingVectorSpace())
        .isEqualTo(config.backend("small").orElseThrow().embeddingVectorSpace())
        .isEqualTo("text-embedding-3-small");
  }

  @Test
  void anAzureBackendWithoutApiVersionGetsTheOneItsKeyIsCheckedWith() {
    // The CRD leaves apiVersion optional and the router needs one: without a default the
    // Workflow would fail to render as InvalidRouterConfig.
    assertThat(render().backend("azure-small").orElseThrow().apiVersion())
        .isEqualTo(ProviderProbe.DEFAULT_AZURE_API_VERSION);
  }
}
