package io.aihandler.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Numbers that size memory or could overflow are refused past sane maxima, naming the field. */
class RouterConfigBoundsTest {

  private static final String DOC =
      """
      backends:
        - name: local
          provider: vllm
          baseUrl: "http://llama:8000/v1"
          model: llama
          %s
      routes:
        - name: main
          targets: [{backend: local}]
          %s
      """;

  /**
   * The problems of the document with extra lines (separated by newlines) in its backend and route.
   */
  static List<String> problems(String backend, String route) {
    try {
      RouterConfigLoader.parse(document(backend, route), "bounds.yaml");
      return List.of();
    } catch (InvalidRouterConfigException e) {
      return e.problems();
    }
  }

  static String document(String backend, String route) {
    String indent = "\n" + " ".repeat(4);
    return DOC.formatted(backend.replace("\n", indent), route.replace("\n", indent));
  }

  @Test
  void aCircuitWindowOfAHundredThousandCallsIsRefused() {
    assertThat(problems("", "circuitBreaker: {windowSize: 100000}"))
        .containsExactly("routes[0].circuitBreaker.windowSize: 100000 is outside 1..1000");
    assertThat(problems("", "circuitBreaker: {windowSize: 1000, minimumCalls: 1000}")).isEmpty();
    assertThat(problems("", "circuitBreaker: {windowSize: 0}"))
        .containsExactly("routes[0].circuitBreaker.windowSize: 0 is outside 1..1000");
  }

  @Test
  void minimumCallsMustFitTheWindow() {
    assertThat(problems("", "circuitBreaker: {windowSize: 20, minimumCalls: 50}"))
        .containsExactly(
            "routes[0].circuitBreaker.minimumCalls: 50 must not exceed windowSize 20 (the rate"
                + " could never be judged)");
    assertThat(problems("", "circuitBreaker: {minimumCalls: 5000}"))
        .containsExactly("routes[0].circuitBreaker.minimumCalls: 5000 is outside 1..1000");
  }

  @Test
  void attemptsAndWaitsAreBounded() {
    assertThat(problems("", "maxAttempts: 11"))
        .containsExactly("routes[0].maxAttempts: must be 1-10");
    assertThat(problems("", "timeout: 2h\nperTryTimeout: 61m\nfirstTokenTimeout: 30s"))
        .containsExactlyInAnyOrder(
            "routes[0].timeout: 2h is longer than the most allowed, 1h",
            "routes[0].perTryTimeout: 61m is longer than the most allowed, 1h");
    assertThat(problems("", "streamIdleTimeout: 5h\nfirstTokenTimeout: 90m")).hasSize(2);
    assertThat(problems("", "circuitBreaker: {openDuration: 24h}"))
        .containsExactly(
            "routes[0].circuitBreaker.openDuration: 24h is longer than the most allowed, 1h");
    assertThat(problems("", "backoff: {initial: 2h}"))
        .containsExactly("routes[0].backoff.initial: 2h is longer than the most allowed, 1h");
    assertThat(problems("", "timeout: 1h\nperTryTimeout: 1h\nbackoff: {max: 1h}")).isEmpty();
  }

  @Test
  void aDurationTooLongForItsTypeIsAProblemNotACrash() {
    // More digits than the duration language admits: refused as the CRD refuses it, never an
    // overflow.
    assertThat(problems("", "timeout: 30000000000000000h"))
        .singleElement()
        .satisfies(
            problem ->
                assertThat(problem)
                    .startsWith("routes[0].timeout: '30000000000000000h' is not a duration"));
  }

  @Test
  void limitsAreBetweenOneAndASaneMaximum() {
    assertThat(
            problems(
                "limits: {requestsPerMinute: 2000000, tokensPerMinute: 2000000000,"
                    + " maxConcurrency: 100000}",
                ""))
        .containsExactly(
            "backends[0].limits.requestsPerMinute: 2000000 is outside 1..1000000",
            "backends[0].limits.tokensPerMinute: 2000000000 is outside 1..1000000000",
            "backends[0].limits.maxConcurrency: 100000 is outside 1..10000");
    assertThat(
            problems("limits: {requestsPerMinute: 0, tokensPerMinute: -1, maxConcurrency: 0}", ""))
        .hasSize(3);
    assertThat(
            problems(
                "limits: {requestsPerMinute: 1000000, tokensPerMinute: 1000000000,"
                    + " maxConcurrency: 10000}",
                ""))
        .isEmpty();
  }

  @Test
  void tokenCountsOfABackendAreBounded() {
    assertThat(problems("capabilities: {contextWindow: 2000000000}\ndefaultMaxTokens: 0", ""))
        .containsExactly(
            "backends[0].capabilities.contextWindow: 2000000000 is outside 1..100000000",
            "backends[0].defaultMaxTokens: 0 is outside 1..100000000");
  }

  @Test
  void aTooLargeIntegerIsAProblemNotACrash() {
    assertThatThrownBy(
            () ->
                RouterConfigLoader.parse(
                    document("", "circuitBreaker: {windowSize: 99999999999}"), "bounds.yaml"))
        .isInstanceOf(InvalidRouterConfigException.class)
        .hasMessageContaining("out of range of int");
  }

  @Test
  void embeddingCapabilitiesAreBoundedAndAnEmbeddingOnlyBackendMustServeEmbeddings() {
    assertThat(problems("capabilities: {embeddings: {dimensions: 0, maxInputs: 1000000}}", ""))
        .containsExactly(
            "backends[0].capabilities.embeddings.dimensions: 0 is outside 1..65536",
            "backends[0].capabilities.embeddings.maxInputs: 1000000 is outside 1..100000");
    assertThat(problems("capabilities: {chat: false}", ""))
        .containsExactly(
            "backends[0].capabilities: a backend that serves no chat must serve embeddings");
    assertThat(problems("capabilities: {chat: false, embeddings: {dimensions: 1024}}", ""))
        .isEmpty();
  }

  @Test
  void aTaskThatGeneratesTextCannotUseARouteOfEmbeddingModelsOnly() {
    String embedder = "capabilities: {chat: false, embeddings: {dimensions: 1024}}";
    String generating =
        document(embedder, "")
            + "tasks:\n  - {name: summarise, route: main, prompt: {system: Summarise.}}\n"
            + "  - {name: embed, route: main}\n";
    assertThatThrownBy(() -> RouterConfigLoader.parse(generating, "tasks.yaml"))
        .isInstanceOf(InvalidRouterConfigException.class)
        .satisfies(
            e ->
                assertThat(((InvalidRouterConfigException) e).problems())
                    .containsExactly(
                        "tasks[0].route: task summarise generates text (it has a prompt, an output"
                            + " schema or parameters), and route main reaches only embedding models"
                            + " (capabilities.chat: false)"));
  }

  @Test
  void theResponsesStoreIsBoundedInEntriesBytesAndTime() throws Exception {
    String ok =
        "sidecar: {responsesStoreEntries: 1000000, responsesStoreBytes: 1073741824,"
            + " responsesStoreTtl: 24h}\n"
            + document("", "");
    assertThat(RouterConfigLoader.parse(ok, "store.yaml").sidecar().responsesStoreTtlDuration())
        .hasHours(24);
    String tooMuch =
        "sidecar: {responsesStoreEntries: 1000001, responsesStoreBytes: 1073741825,"
            + " responsesStoreTtl: 25h}\n"
            + document("", "");
    assertThatThrownBy(() -> RouterConfigLoader.parse(tooMuch, "store.yaml"))
        .isInstanceOfSatisfying(
            InvalidRouterConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "sidecar.responsesStoreEntries: 1000001 is outside 0..1000000",
                        "sidecar.responsesStoreBytes: 1073741825 is outside 0..1073741824 (1 GiB)",
                        "sidecar.responsesStoreTtl: 25h is longer than 24h"));
    SidecarSettings defaults = SidecarSettings.DEFAULTS;
    assertThat(defaults.responsesStoreEntries()).isEqualTo(256);
    assertThat(defaults.responsesStoreBytes()).isEqualTo(512L * 1024);
    assertThat(defaults.responsesStoreTtlDuration()).hasHours(1);
  }
}
