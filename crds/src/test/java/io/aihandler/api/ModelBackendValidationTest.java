package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.CrdAdmission;
import io.aihandler.api.testing.Manifests;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ModelBackend specs as the API server would judge them at {@code kubectl apply}. */
class ModelBackendValidationTest {

  private static final CrdAdmission ADMISSION = Manifests.admissionFor("modelbackends");

  private static List<String> admit(String spec) {
    return ADMISSION.admit(
        Manifests.parse(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata:
              name: test
            spec:
            """
                + spec.indent(2)));
  }

  @Test
  void acceptsAnAutoscaledVllmBackendAndFillsDefaults() {
    String spec =
        """
        vllm:
          model: hf://meta-llama/Llama-3.3-70B-Instruct
          gpus: 4
          scaling:
            maxReplicas: 4
            target: 5
        pricing:
          gpuHourly: 2.5
        """;
    assertThat(admit(spec)).isEmpty();
    var stored =
        ADMISSION.defaulted(
            Manifests.parse(
                "apiVersion: aihandler.io/v1alpha1\nkind: ModelBackend\nspec:\n" + spec.indent(2)));
    assertThat(stored.at("/spec/vllm/gpuResourceName").asText()).isEqualTo("nvidia.com/gpu");
    assertThat(stored.at("/spec/vllm/startupTimeout").asText()).isEqualTo("30m");
    assertThat(stored.at("/spec/vllm/scaling/minReplicas").asInt()).isEqualTo(1);
    assertThat(stored.at("/spec/vllm/scaling/metric").asText()).isEqualTo("queue");
    assertThat(stored.at("/spec/vllm/scaling/scaleDownDelay").asText()).isEqualTo("5m");
  }

  @Test
  void acceptsArgsOfFlagsNoTypedFieldOwnsAndCpuAndMemoryResources() {
    String spec =
        """
        vllm:
          model: hf://org/m
          args: ["-q", "awq", "-O3", "-pp", "2", "--max-num-seqs=8", "--enable-prefix-caching",
                 "--model-impl", "vllm", "--hf-overrides", "{}", "-1", "--"]
          resources:
            requests: {cpu: "8", memory: 64Gi}
            limits: {memory: 64Gi, ephemeral-storage: 10Gi}
        """;
    assertThat(admit(spec)).isEmpty();
  }

  @Test
  void acceptsHostedBackendsOfEveryProvider() {
    for (String provider : List.of("openai", "anthropic", "gemini")) {
      assertThat(
              admit(
                  """
                  hosted:
                    provider: %s
                    model: some-model
                    credentials:
                      secretRef: {name: llm-keys, key: api-key}
                    shareWith:
                      namespaces: [support]
                      namespaceSelector:
                        matchLabels: {team: support}
                  """
                      .formatted(provider)))
          .as(provider)
          .isEmpty();
    }
    assertThat(
            admit(
                """
                hosted:
                  provider: azure-openai
                  model: my-gpt-4o-deployment
                  baseUrl: https://my-resource.openai.azure.com
                  apiVersion: "2024-10-21"
                  credentials:
                    secretRef: {name: azure, key: key}
                """))
        .isEmpty();
    assertThat(
            admit(
                """
                hosted:
                  provider: openai-compatible
                  model: qwen
                  baseUrl: http://llm.internal:8000/v1
                locality: in-cluster
                """))
        .isEmpty();
  }

  @Test
  void acceptsEmbeddingBackendsOnVllmAndHostedAndDefaultsChatToTrue() {
    String vllm =
        """
        vllm:
          model: hf://BAAI/bge-m3
          scaling: {maxReplicas: 3, metric: queue, target: 16}
        capabilities:
          chat: false
          embeddings: {dimensions: 1024, vectorSpace: BAAI/bge-m3, maxInputs: 256}
        """;
    assertThat(admit(vllm)).isEmpty();
    String hosted =
        """
        hosted: {provider: openai, model: text-embedding-3-small, credentials: {secretRef: {name: k, key: k}}}
        capabilities:
          chat: false
          embeddings: {dimensions: 1536, maxInputs: 2048}
        """;
    assertThat(admit(hosted)).isEmpty();
    // A hosted model may chat and embed behind one endpoint (a private openai-compatible server).
    assertThat(
            admit(
                """
                hosted: {provider: openai-compatible, model: m, baseUrl: "http://llm.internal:8000/v1"}
                capabilities:
                  embeddings: {dimensions: 768}
                """))
        .isEmpty();

    var stored =
        ADMISSION.defaulted(
            Manifests.parse(
                "apiVersion: aihandler.io/v1alpha1\nkind: ModelBackend\nspec:\n"
                    + "vllm: {model: hf://org/m}\ncapabilities: {contextWindow: 8192}\n"
                        .indent(2)));
    assertThat(stored.at("/spec/capabilities/chat").asBoolean(false)).isTrue();
  }

  static Stream<Arguments> refusedSpecs() {
    return Stream.of(
        Arguments.of(
            "neither vllm nor hosted",
            "pricing: {inputPerMillionTokens: 1}",
            "set exactly one of spec.vllm"),
        Arguments.of(
            "both vllm and hosted",
            """
            vllm: {model: hf://org/m}
            hosted: {provider: openai, model: gpt-4o, credentials: {secretRef: {name: k, key: k}}}
            """,
            "set exactly one of spec.vllm"),
        Arguments.of(
            "replicas and scaling together",
            """
            vllm:
              model: hf://org/m
              replicas: 2
              scaling: {maxReplicas: 3, target: 5}
            """,
            "set either replicas"),
        Arguments.of(
            "minReplicas above maxReplicas",
            """
            vllm:
              model: hf://org/m
              scaling: {minReplicas: 5, maxReplicas: 3, target: 5}
            """,
            "scaling.minReplicas must not be greater than scaling.maxReplicas"),
        Arguments.of(
            "kvCache target above 1",
            """
            vllm:
              model: hf://org/m
              scaling: {maxReplicas: 3, metric: kvCache, target: 80}
            """,
            "with metric kvCache, target is the KV-cache fraction"),
        Arguments.of(
            "openai-compatible without baseUrl",
            "hosted: {provider: openai-compatible, model: m}",
            "provider openai-compatible needs baseUrl"),
        Arguments.of(
            "azure without baseUrl",
            "hosted: {provider: azure-openai, model: m, credentials: {secretRef: {name: k, key: k}}}",
            "provider azure-openai needs baseUrl"),
        Arguments.of(
            "hosted provider without credentials",
            "hosted: {provider: anthropic, model: claude-sonnet-4-5}",
            "provider anthropic needs credentials.secretRef"),
        Arguments.of(
            "apiVersion on a provider other than azure",
            """
            hosted: {provider: openai, model: gpt-4o, apiVersion: "2024-10-21", credentials: {secretRef: {name: k, key: k}}}
            """,
            "apiVersion applies only to provider azure-openai"),
        Arguments.of(
            "HTTPS to an IP address",
            "hosted: {provider: openai-compatible, model: m, baseUrl: \"https://10.0.0.5:8443/v1\"}",
            "baseUrl is HTTPS to an IP address"),
        Arguments.of(
            "unknown provider",
            "hosted: {provider: mistral, model: m, credentials: {secretRef: {name: k, key: k}}}",
            "enum"),
        Arguments.of(
            "model URI without a scheme",
            "vllm: {model: meta-llama/Llama-3.3-70B-Instruct}",
            "pattern"),
        Arguments.of("zero GPUs", "vllm: {model: hf://org/m, gpus: 0}", "minimum"),
        Arguments.of(
            "a concurrency limit past what a sidecar holds",
            "vllm: {model: hf://org/m}\nlimits: {maxConcurrency: 100000}",
            "maximum"),
        Arguments.of(
            "tokens per minute past the sidecar's maximum",
            "vllm: {model: hf://org/m}\nlimits: {tokensPerMinute: 2000000000}",
            "maximum"),
        Arguments.of(
            "a context window of two billion tokens",
            "vllm: {model: hf://org/m}\ncapabilities: {contextWindow: 2000000000}",
            "maximum"),
        Arguments.of(
            "gpus not a multiple of tensorParallelSize",
            "vllm: {model: hf://org/m, gpus: 4, tensorParallelSize: 3}",
            "gpus must be a multiple of tensorParallelSize"),
        Arguments.of(
            "gpuMemoryUtilization of 0",
            "vllm: {model: hf://org/m, gpuMemoryUtilization: 0}",
            "minimum"),
        Arguments.of(
            "args that a typed field owns",
            "vllm: {model: hf://org/m, args: [\"--enable-prefix-caching\", \"--max-model-len=4096\"]}",
            "args must not set flags that typed fields own"),
        Arguments.of(
            "the short alias of --tensor-parallel-size",
            "vllm: {model: hf://org/m, args: [\"-tp\", \"1\"]}",
            "args must not set flags that typed fields own"),
        Arguments.of(
            "the short alias with its value attached",
            "vllm: {model: hf://org/m, args: [\"-tp=2\"]}",
            "args must not set flags that typed fields own"),
        Arguments.of(
            "a typed flag with underscores, which vLLM reads as dashes",
            "vllm: {model: hf://org/m, args: [\"--tensor_parallel_size=2\"]}",
            "args must not set flags that typed fields own"),
        Arguments.of(
            "an abbreviation of a typed flag, which argparse expands",
            "vllm: {model: hf://org/m, args: [\"--max-model\", \"4096\"]}",
            "args must not set flags that typed fields own"),
        Arguments.of(
            "the port flag",
            "vllm: {model: hf://org/m, args: [\"--port\", \"9000\"]}",
            "args must not set flags that typed fields own"),
        Arguments.of(
            "GPUs in resources.limits",
            "vllm: {model: hf://org/m, resources: {limits: {cpu: \"8\", nvidia.com/gpu: \"1\"}}}",
            "resources must not request GPUs"),
        Arguments.of(
            "GPUs of another vendor in resources.requests",
            "vllm: {model: hf://org/m, resources: {requests: {amd.com/gpu: 2}}}",
            "resources must not request GPUs"),
        Arguments.of(
            "the configured GPU resource in resources.limits",
            "vllm: {model: hf://org/m, gpuResourceName: gpu.intel.com/i915, resources: {limits: {gpu.intel.com/i915: 1}}}",
            "resources must not request GPUs"),
        Arguments.of(
            "startupTimeout that is not a duration",
            "vllm: {model: hf://org/m, startupTimeout: thirty minutes}",
            "pattern"),
        Arguments.of(
            "cache with both size and existingClaim",
            "vllm: {model: hf://org/m, cache: {size: 200Gi, existingClaim: weights}}",
            "cache needs exactly one of size"),
        Arguments.of(
            "storage class on an existing claim",
            "vllm: {model: hf://org/m, cache: {existingClaim: weights, storageClassName: fast}}",
            "storageClassName and accessModes apply only"),
        Arguments.of(
            "GPU price on a hosted backend",
            """
            hosted: {provider: openai, model: gpt-4o, credentials: {secretRef: {name: k, key: k}}}
            pricing: {gpuHourly: 2}
            """,
            "pricing.gpuHourly applies only to self-hosted"),
        Arguments.of(
            "negative price",
            """
            hosted: {provider: openai, model: gpt-4o, credentials: {secretRef: {name: k, key: k}}}
            pricing: {inputPerMillionTokens: -1}
            """,
            "minimum"),
        Arguments.of(
            "a backend that neither chats nor embeds",
            "vllm: {model: hf://org/m}\ncapabilities: {chat: false}",
            "capabilities.chat: false needs capabilities.embeddings"),
        Arguments.of(
            "embeddings without dimensions",
            """
            hosted: {provider: openai, model: text-embedding-3-small, credentials: {secretRef: {name: k, key: k}}}
            capabilities: {chat: false, embeddings: {vectorSpace: text-embedding-3-small}}
            """,
            "dimensions"),
        Arguments.of(
            "dimensions past the longest vectors a router accepts",
            """
            hosted: {provider: openai, model: text-embedding-3-small, credentials: {secretRef: {name: k, key: k}}}
            capabilities: {chat: false, embeddings: {dimensions: 65537}}
            """,
            "maximum"),
        Arguments.of(
            "zero dimensions",
            """
            hosted: {provider: openai, model: text-embedding-3-small, credentials: {secretRef: {name: k, key: k}}}
            capabilities: {chat: false, embeddings: {dimensions: 0}}
            """,
            "minimum"),
        Arguments.of(
            "maxInputs past the router's bound",
            """
            hosted: {provider: openai, model: text-embedding-3-small, credentials: {secretRef: {name: k, key: k}}}
            capabilities: {chat: false, embeddings: {dimensions: 1536, maxInputs: 100001}}
            """,
            "maximum"),
        Arguments.of(
            "an empty vectorSpace",
            """
            hosted: {provider: openai, model: text-embedding-3-small, credentials: {secretRef: {name: k, key: k}}}
            capabilities: {chat: false, embeddings: {dimensions: 1536, vectorSpace: ""}}
            """,
            "vectorSpace: must be at least 1 characters long"),
        Arguments.of(
            "embeddings on anthropic",
            """
            hosted: {provider: anthropic, model: claude-sonnet-4-5, credentials: {secretRef: {name: k, key: k}}}
            capabilities: {embeddings: {dimensions: 1024}}
            """,
            "Anthropic has no embeddings API"),
        Arguments.of(
            "a vllm embedding backend that still claims chat",
            "vllm: {model: hf://BAAI/bge-m3}\ncapabilities: {embeddings: {dimensions: 1024}}",
            "must set capabilities.chat: false"),
        Arguments.of(
            "a vllm embedding backend scaled on the KV cache",
            """
            vllm:
              model: hf://BAAI/bge-m3
              scaling: {maxReplicas: 3, metric: kvCache, target: 0.8}
            capabilities: {chat: false, embeddings: {dimensions: 1024}}
            """,
            "kvCache is no load signal for an embedding model"),
        Arguments.of(
            "the runner in args",
            """
            vllm: {model: hf://BAAI/bge-m3, args: ["--runner", "pooling"]}
            capabilities: {chat: false, embeddings: {dimensions: 1024}}
            """,
            "args must not set --runner, --convert or --task"),
        Arguments.of(
            "a conversion in args",
            "vllm: {model: hf://org/m, args: [\"--convert=classify\"]}",
            "args must not set --runner, --convert or --task"),
        Arguments.of(
            "the deprecated task flag in args",
            "vllm: {model: hf://org/m, args: [\"--task=embed\"]}",
            "args must not set --runner, --convert or --task"),
        Arguments.of("unknown field (a typo)", "vllm: {model: hf://org/m, gpu: 2}", "gpu"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSpecs")
  void refusesBadSpecsWithAMessageThatSaysWhy(String why, String spec, String expected) {
    assertThat(admit(spec)).as(why).anySatisfy(error -> assertThat(error).contains(expected));
  }
}
