package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.ColdStandIns;
import io.aihandler.router.testing.Sidecar;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route of an in-cluster vLLM backend with no ready replica and a hosted model, through a real
 * sidecar: requests whose data class allows the hosted model spill over to it at once, restricted
 * ones are held until the vLLM stand-in is ready (by the config or by its health endpoint), within
 * their bounds. Zero restricted requests ever reach the hosted stand-in, counted there.
 */
class HoldAndSpillOverTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET = "jane.doe@example.com";
  static final String RESTRICTED =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"mail " + SECRET + "\"}]}";
  static final String INTERNAL =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"summarise the plan\"}]}";

  @TempDir Path dir;
  ColdStandIns.Vllm vllm;
  ColdStandIns.Hosted hosted;
  Sidecar sidecar;

  static String config(String state, String vllmUrl, String hostedUrl, String sidecarExtra) {
    return """
        sidecar:
          maxHeldRequests: 2
          holdKeepAliveInterval: 100ms
        %s
        backends:
          - name: llama
            provider: vllm
            baseUrl: "%s"
            model: llama
            capacity: {state: %s, modelBackend: ml/llama}
          - name: gpt
            provider: openai-compatible
            baseUrl: "%s"
            model: gpt-4o
            locality: external
            pricing: {inputPerMillionTokens: 2.5, outputPerMillionTokens: 10}
        dataClasses:
          - name: restricted
            allowedLocalities: [in-cluster]
            detectors: [{type: email}]
          - name: internal
            allowedLocalities: [in-cluster, external]
        defaultDataClass: internal
        routes:
          - name: main
            targets: [{backend: llama, priority: 0}, {backend: gpt, priority: 1}]
            coldStartTimeout: 20s
            circuitBreaker: {minimumCalls: 2, windowSize: 2, failureRateThreshold: 50, openDuration: 1m}
          - name: strict
            targets: [{backend: llama, priority: 0}, {backend: gpt, priority: 1}]
            spillOver: false
            coldStartTimeout: 400ms
        """
        .formatted(sidecarExtra, vllmUrl, state, hostedUrl);
  }

  String config(String state) {
    return config(state, vllm.baseUrl(), hosted.baseUrl(), "");
  }

  @BeforeEach
  void start() throws Exception {
    vllm = (ColdStandIns.Vllm) new ColdStandIns.Vllm().start();
    hosted = (ColdStandIns.Hosted) new ColdStandIns.Hosted().start();
    sidecar = Sidecar.start(dir, config("scaled-to-zero"));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    vllm.close();
    hosted.close();
  }

  static <T> CompletableFuture<T> async(Callable<T> call) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                f.complete(call.call());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            });
    return f;
  }

  static void await(String what, Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  void awaitHeld(int n) throws Exception {
    await(
        n + " held",
        () -> sidecar.metrics().contains("aihandler_held_requests{backend=\"llama\"} " + n + ".0"));
  }

  static JsonNode error(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).path("error");
  }

  @Test
  void aRestrictedRequestIsHeldWhileAnInternalOneSpillsOverAndAReloadReleasesIt() throws Exception {
    CompletableFuture<HttpResponse<String>> held =
        async(() -> sidecar.post("/v1/chat/completions", RESTRICTED.formatted("main")));
    awaitHeld(1);

    long started = System.nanoTime();
    HttpResponse<String> spilled = sidecar.post("/v1/chat/completions", INTERNAL.formatted("main"));
    assertThat(spilled.statusCode()).isEqualTo(200);
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(2));
    assertThat(JSON.readTree(spilled.body()).at("/choices/0/message/content").asText())
        .isEqualTo("from gpt");
    assertThat(held).isNotDone();

    vllm.servingOnly.set(true); // its health endpoint still says no: the reload releases it
    sidecar.rewriteConfig(config("ready"));

    HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).at("/choices/0/message/content").asText())
        .isEqualTo("from llama");
    assertThat(hosted.received(SECRET)).isZero();
    assertThat(vllm.received(SECRET)).isEqualTo(1);
    assertThat(hosted.bodies).hasSize(1);
    String page = sidecar.metrics();
    assertThat(page)
        .contains(
            "aihandler_spillovers_total{from=\"llama\",reason=\"scaled_to_zero\",route=\"main\",to=\"gpt\"} 1.0")
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"served\"} 1.0")
        .contains("aihandler_held_requests{backend=\"llama\"} 0.0");
    // gpt-4o at 2.5/10 per million for the fixture's 19 in and 10 out tokens.
    assertThat(page)
        .contains(
            "aihandler_spillover_cost_usd_total{from=\"llama\",route=\"main\",to=\"gpt\"} 1.475E-4");
  }

  @Test
  void aHeldRequestIsReleasedByTheBackendsHealthEndpointBeforeTheConfigSaysSo() throws Exception {
    CompletableFuture<HttpResponse<String>> held =
        async(() -> sidecar.post("/v1/chat/completions", RESTRICTED.formatted("main")));
    awaitHeld(1);
    await("a probe", () -> !vllm.healthProbes.isEmpty());

    vllm.ready.set(true);

    HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(hosted.received(SECRET)).isZero();
    // Learnt ready: the next request is not held and does not spill over.
    assertThat(sidecar.post("/v1/chat/completions", INTERNAL.formatted("main")).statusCode())
        .isEqualTo(200);
    assertThat(hosted.bodies).isEmpty();
    assertThat(vllm.bodies).hasSize(2);
  }

  @Test
  void withoutSpillOverAnInternalRequestIsHeldTooAndTimesOutNamingTheBackend() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> r = sidecar.post("/v1/chat/completions", INTERNAL.formatted("strict"));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("retry-after")).isPresent();
    JsonNode e = error(r);
    assertThat(e.path("code").asText()).isEqualTo("cold_start_timeout");
    assertThat(e.path("type").asText()).isEqualTo("server_error");
    assertThat(e.path("message").asText())
        .contains("backend llama")
        .contains("scaled-to-zero")
        .contains("coldStartTimeout 400ms");
    assertThat(tookMillis).isBetween(380L, 5000L);
    assertThat(hosted.bodies).isEmpty();
    assertThat(vllm.bodies).isEmpty();
    assertThat(sidecar.metrics())
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"timeout\"} 1.0")
        .doesNotContain("aihandler_spillovers_total{");
  }

  @Test
  void beyondMaxHeldRequestsARequestGets503WithRetryAfterAtOnce() throws Exception {
    CompletableFuture<HttpResponse<String>> one =
        async(() -> sidecar.post("/v1/chat/completions", RESTRICTED.formatted("main")));
    CompletableFuture<HttpResponse<String>> two =
        async(() -> sidecar.post("/v1/chat/completions", RESTRICTED.formatted("main")));
    awaitHeld(2);

    HttpResponse<String> third = sidecar.post("/v1/chat/completions", RESTRICTED.formatted("main"));
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.headers().firstValue("retry-after")).isPresent();
    assertThat(error(third).path("code").asText()).isEqualTo("hold_queue_full");
    assertThat(error(third).path("message").asText())
        .contains("backend llama")
        .contains("maxHeldRequests");

    vllm.servingOnly.set(true);
    sidecar.rewriteConfig(config("ready"));
    assertThat(one.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(two.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(hosted.received(SECRET)).isZero();
    assertThat(sidecar.metrics())
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"rejected_full\"} 1.0")
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"served\"} 2.0");
  }

  @Test
  void aBackendThatRefusesConnectionsBehavesAsStartingWithoutOpeningItsCircuit() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String gone = "http://127.0.0.1:" + port + "/v1";
    sidecar.rewriteConfig(config("ready", gone, hosted.baseUrl(), ""));

    // Past the circuit's minimum calls: each refusal spills over and is not a circuit failure.
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = sidecar.post("/v1/chat/completions", INTERNAL.formatted("main"));
      assertThat(r.statusCode()).isEqualTo(200);
    }
    assertThat(hosted.bodies).hasSize(4);
    String page = sidecar.metrics();
    assertThat(page)
        .contains("aihandler_circuit_state{backend=\"llama\"} 0.0")
        .contains(
            "aihandler_spillovers_total{from=\"llama\",reason=\"starting\",route=\"main\",to=\"gpt\"}");

    // A restricted request is held for it, then served once it is back where it was.
    CompletableFuture<HttpResponse<String>> held =
        async(() -> sidecar.post("/v1/chat/completions", RESTRICTED.formatted("main")));
    awaitHeld(1);
    try (ColdStandIns.Vllm back = new ColdStandIns.Vllm()) {
      back.ready.set(true);
      back.start(port);
      HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(back.received(SECRET)).isEqualTo(1);
    }
    assertThat(hosted.received(SECRET)).isZero();
  }

  @Test
  void aRestrictedRequestToABackendThatRefusesIsHeldAndTimesOutAs503NotAsABadGateway()
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    sidecar.rewriteConfig(
        config("ready", "http://127.0.0.1:" + port + "/v1", hosted.baseUrl(), ""));

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", RESTRICTED.formatted("strict"));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(error(r).path("code").asText()).isEqualTo("cold_start_timeout");
    assertThat(error(r).path("message").asText()).contains("backend llama").contains("starting");
    assertThat(hosted.bodies).isEmpty();
  }

  @Test
  void theResponsesApiHoldsARestrictedRequestAndSpillsAnInternalOneOver() throws Exception {
    String restricted =
        "{\"model\":\"main\",\"store\":false,\"input\":\"write to " + SECRET + "\"}";
    CompletableFuture<HttpResponse<String>> held =
        async(() -> sidecar.post("/v1/responses", restricted));
    awaitHeld(1);

    HttpResponse<String> spilled =
        sidecar.post("/v1/responses", "{\"model\":\"main\",\"store\":false,\"input\":\"hello\"}");
    assertThat(spilled.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(spilled.body()).path("output_text").asText("")).isNotNull();

    vllm.servingOnly.set(true);
    sidecar.rewriteConfig(config("ready"));
    HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("from llama");
    assertThat(hosted.received(SECRET)).isZero();
    assertThat(hosted.bodies).hasSize(1);
  }

  @Test
  void embeddingsAreHeldOrSpiltOverByDataClassLikeChat() throws Exception {
    String caps = "capabilities: {chat: false, embeddings: {dimensions: 8, vectorSpace: shared}}";
    String embeddings =
        config("scaled-to-zero")
            .replace(
                "capacity: {state: scaled-to-zero, modelBackend: ml/llama}",
                "capacity: {state: scaled-to-zero, modelBackend: ml/llama}\n    " + caps)
            .replace("locality: external", "locality: external\n    " + caps);
    sidecar.rewriteConfig(embeddings);

    CompletableFuture<HttpResponse<String>> held =
        async(
            () ->
                sidecar.post(
                    "/v1/embeddings", "{\"model\":\"main\",\"input\":\"mail " + SECRET + "\"}"));
    awaitHeld(1);
    HttpResponse<String> spilled =
        sidecar.post("/v1/embeddings", "{\"model\":\"main\",\"input\":\"the plan\"}");
    assertThat(spilled.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(spilled.body()).at("/data/0/embedding").size()).isEqualTo(8);

    vllm.servingOnly.set(true);
    sidecar.rewriteConfig(embeddings.replace("state: scaled-to-zero", "state: ready"));
    assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(hosted.received(SECRET)).isZero();
    assertThat(vllm.received(SECRET)).isEqualTo(1);
    assertThat(hosted.bodies).hasSize(1);
  }

  @Test
  void aSidecarThatStopsAnswersItsHeldRequestsAtOnce() throws Exception {
    CompletableFuture<HttpResponse<String>> held =
        async(() -> sidecar.post("/v1/chat/completions", RESTRICTED.formatted("main")));
    awaitHeld(1);

    long started = System.nanoTime();
    sidecar.close();

    HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(error(r).path("code").asText()).isEqualTo("shutting_down");
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(hosted.received(SECRET)).isZero();
  }
}
