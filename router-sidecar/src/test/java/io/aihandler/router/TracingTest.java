package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.openAiError;
import static io.aihandler.router.testing.OpenAiFixtures.sse;
import static io.aihandler.router.testing.OpenAiFixtures.streamEvents;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.aihandler.router.testing.OtlpReceiver;
import io.aihandler.router.testing.OtlpReceiver.Received;
import io.aihandler.router.testing.Sidecar;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces as a collector receives them: the OTLP export decoded with the OpenTelemetry proto
 * classes, the span tree and every attribute, the app's trace context continued, each attempt's own
 * span id sent upstream, content only when opted in, sampling, and answers that do not depend on
 * the collector.
 */
class TracingTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String APP_SPAN = "00f067aa0ba902b7";
  private static final String KEY = "sk-test-key-0123456789";
  private static final String VALID =
      "{\"category\":\"billing\",\"priority\":\"high\",\"confidence\":0.9}";

  @TempDir Path dir;
  MockWebServer llama;
  MockWebServer gpt;
  OtlpReceiver receiver;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    llama = new MockWebServer();
    llama.start();
    gpt = new MockWebServer();
    gpt.start();
    receiver = new OtlpReceiver();
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    llama.close();
    gpt.close();
    receiver.close();
  }

  private void startSidecar(String tracing) throws Exception {
    sidecar =
        new Sidecar(
            dir,
            """
            sidecar:
              tracing: %s
            backends:
              - name: llama
                provider: vllm
                baseUrl: "%s"
                model: llama-3.3-70b
              - name: gpt
                provider: openai
                baseUrl: "%s"
                model: gpt-4o
                credentials: {env: OPENAI_API_KEY}
            routes:
              - {name: chat, targets: [{backend: gpt}]}
              - {name: bulk, targets: [{backend: llama}, {backend: gpt, priority: 1}], maxAttempts: 4}
            tasks:
              - name: classify-ticket
                route: bulk
                prompt:
                  system: You classify support tickets.
                  user: "Classify this ticket: {{ticket}}"
                variables: [{name: ticket}]
                output:
                  schema:
                    type: object
                    properties:
                      category: {enum: [billing, bug, other]}
                      priority: {enum: [low, normal, high]}
                      confidence: {type: number, minimum: 0, maximum: 1}
                    required: [category, priority, confidence]
                  maxRepairAttempts: 1
                parameters: {temperature: 0, maxTokens: 100}
            """
                .formatted(tracing, llama.url("/v1"), gpt.url("/v1")),
            Map.of("OPENAI_API_KEY", KEY));
  }

  private void startTraced(String extra) throws Exception {
    startSidecar(
        "{otlpEndpoint: \"" + receiver.endpoint() + "\", serviceName: support-bot" + extra + "}");
  }

  private OpenAIClient client(String... headers) {
    OpenAIOkHttpClient.Builder b =
        OpenAIOkHttpClient.builder()
            .baseUrl(sidecar.baseUrl() + "/v1")
            .apiKey("not-the-upstream-key")
            .maxRetries(0);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.putHeader(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  private static ChatCompletionCreateParams chat(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage("Be brief.")
        .addUserMessage("The secret prompt text")
        .maxCompletionTokens(50)
        .temperature(0.2)
        .build();
  }

  private static Received only(List<Received> spans, Span.SpanKind kind) {
    List<Received> of = spans.stream().filter(s -> s.kind() == kind).toList();
    assertThat(of).hasSize(1);
    return of.getFirst();
  }

  /** The W3C traceparent's parts: version, trace id, parent span id, flags. */
  private static String[] traceparent(RecordedRequest up) {
    String header = up.getHeaders().get("traceparent");
    assertThat(header).isNotNull().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    return header.split("-");
  }

  /** The W3C sampled flag (bit 0; bit 1 says the trace id is random). */
  private static boolean sampled(String[] traceparent) {
    return (Integer.parseInt(traceparent[3], 16) & 1) == 1;
  }

  @Test
  void aChatCompletionIsAServerSpanWithAClientSpanPerAttemptContinuingTheAppsTrace()
      throws Exception {
    startTraced("");
    gpt.enqueue(ok(openAiCompletion("Hello there!", "stop")));

    OpenAIClient client =
        client(
            "traceparent", "00-" + TRACE_ID + "-" + APP_SPAN + "-01",
            "tracestate", "vendor=opaque",
            "x-request-id", "app-req-42");
    try {
      HttpResponseFor<ChatCompletion> r =
          client.chat().completions().withRawResponse().create(chat("chat"));
      assertThat(r.parse().choices().getFirst().message().content()).contains("Hello there!");
      assertThat(r.headers().values("x-request-id")).containsExactly("app-req-42");
    } finally {
      client.close();
    }

    List<Received> spans = receiver.awaitTrace(TRACE_ID, 2);
    Received server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
    Received attempt = only(spans, Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(server.parentSpanId()).isEqualTo(APP_SPAN);
    assertThat(attempt.parentSpanId()).isEqualTo(server.spanId());
    assertThat(server.name()).isEqualTo("chat chat");
    assertThat(attempt.name()).isEqualTo("chat gpt-4o");
    assertThat(server.resourceAttribute("service.name")).isEqualTo("support-bot");

    assertThat(server.attributes())
        .containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.request.model", "chat")
        .containsEntry("gen_ai.request.max_tokens", 50L)
        .containsEntry("gen_ai.request.temperature", 0.2)
        .containsEntry("gen_ai.response.model", "gpt-4o-2024-08-06")
        .containsEntry("gen_ai.usage.input_tokens", 19L)
        .containsEntry("gen_ai.usage.output_tokens", 10L)
        .containsEntry("http.response.status_code", 200L)
        .containsEntry("aihandler.endpoint", "chat")
        .containsEntry("aihandler.request_id", "app-req-42")
        .containsEntry("aihandler.route", "chat")
        .containsEntry("aihandler.task", "none")
        .containsEntry("aihandler.data_class", "none")
        .containsEntry("aihandler.backend", "gpt")
        .containsEntry("aihandler.attempts", 1L)
        .containsEntry("aihandler.outcome", "success")
        .containsEntry("aihandler.validation", "none")
        .containsEntry("aihandler.repair_attempts", 0L)
        .doesNotContainKeys("error.type", "aihandler.fallback_reason");
    assertThat(attempt.attributes())
        .containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.provider.name", "openai")
        .containsEntry("gen_ai.request.model", "gpt-4o")
        .containsEntry("gen_ai.request.max_tokens", 50L)
        .containsEntry("gen_ai.request.temperature", 0.2)
        .containsEntry("gen_ai.response.model", "gpt-4o-2024-08-06")
        .containsEntry("gen_ai.response.finish_reasons", List.of("stop"))
        .containsEntry("gen_ai.usage.input_tokens", 19L)
        .containsEntry("gen_ai.usage.output_tokens", 10L)
        .containsEntry("server.address", gpt.getHostName())
        .containsEntry("server.port", (long) gpt.getPort())
        .containsEntry("aihandler.backend", "gpt")
        .containsEntry("aihandler.attempt", 1L)
        .containsEntry("aihandler.repair", false)
        .containsEntry("aihandler.outcome", "ok")
        .containsEntry("aihandler.validation", "none");
    // Off by default: no prompt or completion text, and never the key.
    for (Received s : spans) {
      assertThat(s.attributes())
          .doesNotContainKeys("gen_ai.input.messages", "gen_ai.output.messages");
      assertThat(s.span().toString()).doesNotContain("secret prompt", "Hello there", KEY);
    }

    RecordedRequest up = gpt.takeRequest();
    String[] tp = traceparent(up);
    assertThat(tp[1]).isEqualTo(TRACE_ID);
    assertThat(tp[2]).isEqualTo(attempt.spanId());
    assertThat(sampled(tp)).isTrue();
    assertThat(up.getHeaders().get("tracestate")).isEqualTo("vendor=opaque");
    assertThat(up.getHeaders().get("x-request-id")).isEqualTo("app-req-42");
  }

  @Test
  void aRepairAndAFallbackAreAttemptSpansOfOneTaskSpan() throws Exception {
    startTraced("");
    llama.enqueue(
        ok(
            vllmCompletion(
                "{\"category\":\"billing\",\"priority\":\"asap\",\"confidence\":1}", "stop")));
    llama.enqueue(ok(vllmCompletion("{\"category\":", "length")));
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/tasks/classify-ticket",
            "{\"variables\":{\"ticket\":\"I was charged twice\"}}",
            "traceparent",
            "00-" + TRACE_ID + "-" + APP_SPAN + "-01");
    assertThat(r.statusCode()).isEqualTo(200);

    List<Received> spans = receiver.awaitTrace(TRACE_ID, 4);
    Received server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
    List<Received> attempts =
        spans.stream()
            .filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT)
            .sorted(java.util.Comparator.comparing(s -> (Long) s.attribute("aihandler.attempt")))
            .toList();
    assertThat(attempts).hasSize(3);
    assertThat(attempts).allMatch(a -> a.parentSpanId().equals(server.spanId()));
    assertThat(server.attributes())
        .containsEntry("aihandler.endpoint", "task")
        .containsEntry("aihandler.task", "classify-ticket")
        .containsEntry("aihandler.route", "bulk")
        .containsEntry("aihandler.attempts", 3L)
        .containsEntry("aihandler.backend", "gpt")
        .containsEntry("aihandler.validation", "valid")
        .containsEntry("aihandler.repair_attempts", 1L)
        .containsEntry("aihandler.fallback_reason", "invalidOutput")
        .containsEntry("aihandler.outcome", "success")
        .containsEntry("gen_ai.request.max_tokens", 100L)
        .containsEntry("gen_ai.request.temperature", 0.0)
        // Usage of every attempt together: 25+25 from vLLM, 19 from OpenAI.
        .containsEntry("gen_ai.usage.input_tokens", 69L);

    Received first = attempts.get(0);
    assertThat(first.name()).isEqualTo("chat llama-3.3-70b");
    assertThat(first.attributes())
        .containsEntry("gen_ai.provider.name", "vllm")
        .containsEntry("aihandler.repair", false)
        .containsEntry("aihandler.validation", "invalid")
        .containsEntry("aihandler.outcome", "invalid_output")
        .containsEntry("error.type", "invalid_output")
        .containsEntry("gen_ai.usage.input_tokens", 25L)
        .doesNotContainKey("aihandler.fallback_reason");
    assertThat(first.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    Received repair = attempts.get(1);
    assertThat(repair.attributes())
        .containsEntry("aihandler.repair", true)
        .containsEntry("aihandler.attempt", 2L)
        .containsEntry("gen_ai.response.finish_reasons", List.of("length"))
        .containsEntry("aihandler.fallback_reason", "invalidOutput");
    Received fallback = attempts.get(2);
    assertThat(fallback.attributes())
        .containsEntry("gen_ai.provider.name", "openai")
        .containsEntry("aihandler.backend", "gpt")
        .containsEntry("aihandler.validation", "valid")
        .containsEntry("aihandler.outcome", "ok");

    // Each attempt went upstream naming its own span.
    assertThat(traceparent(llama.takeRequest())[2]).isEqualTo(first.spanId());
    assertThat(traceparent(llama.takeRequest())[2]).isEqualTo(repair.spanId());
    assertThat(traceparent(gpt.takeRequest())[2]).isEqualTo(fallback.spanId());
  }

  @Test
  void aFailedRequestCarriesItsErrorTypeAndHttpStatus() throws Exception {
    startTraced("");
    gpt.enqueue(openAiError(400, "invalid_request_error", "context_length_exceeded", "too long"));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "traceparent",
            "00-" + TRACE_ID + "-" + APP_SPAN + "-01");
    assertThat(r.statusCode()).isEqualTo(400);

    List<Received> spans = receiver.awaitTrace(TRACE_ID, 2);
    Received server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
    Received attempt = only(spans, Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(server.attributes())
        .containsEntry("http.response.status_code", 400L)
        .containsEntry("aihandler.outcome", "client_error")
        .containsEntry("error.type", "context_length_exceeded");
    assertThat(attempt.attributes())
        .containsEntry("aihandler.outcome", "client_error")
        .containsEntry("error.type", "client_error");
  }

  @Test
  void aStreamIsOneAttemptSpanWithItsUsage() throws Exception {
    startTraced("");
    gpt.enqueue(sse(streamEvents(List.of("Hel", "lo"), true)));

    OpenAIClient client = client("traceparent", "00-" + TRACE_ID + "-" + APP_SPAN + "-01");
    try {
      HttpResponseFor<StreamResponse<ChatCompletionChunk>> r =
          client.chat().completions().withRawResponse().createStreaming(chat("chat"));
      assertThat(r.headers().values("x-request-id")).hasSize(1);
      try (StreamResponse<ChatCompletionChunk> stream = r.parse()) {
        assertThat(stream.stream().count()).isPositive();
      }
    } finally {
      client.close();
    }

    List<Received> spans = receiver.awaitTrace(TRACE_ID, 2);
    Received attempt = only(spans, Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(attempt.attributes())
        .containsEntry("aihandler.outcome", "ok")
        .containsKey("gen_ai.usage.output_tokens");
    assertThat((Long) attempt.attribute("gen_ai.usage.output_tokens")).isPositive();
    assertThat(only(spans, Span.SpanKind.SPAN_KIND_SERVER).attributes())
        .containsEntry("aihandler.outcome", "success");
  }

  @Test
  void aMalformedTraceparentIsIgnoredAndStartsANewTrace() throws Exception {
    startTraced("");
    gpt.enqueue(ok(openAiCompletion("Hi", "stop")));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "traceparent",
            "00-not-a-trace-" + "x".repeat(200));
    assertThat(r.statusCode()).isEqualTo(200);

    Received server = receiver.await(1, s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER).getFirst();
    assertThat(server.parentSpanId()).isEmpty();
    assertThat(server.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
    assertThat(traceparent(gpt.takeRequest())[1]).isEqualTo(server.traceId());
  }

  @Test
  void contentIsCapturedOnlyWhenOptedInAndBounded() throws Exception {
    startTraced(", captureContent: true");
    gpt.enqueue(ok(openAiCompletion("The completion text", "stop")));
    String huge = "long prompt ".repeat(5_000);

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\""
                + huge
                + "\"}]}",
            "traceparent",
            "00-" + TRACE_ID + "-" + APP_SPAN + "-01");
    assertThat(r.statusCode()).isEqualTo(200);

    List<Received> spans = receiver.awaitTrace(TRACE_ID, 2);
    String input =
        (String) only(spans, Span.SpanKind.SPAN_KIND_SERVER).attribute("gen_ai.input.messages");
    assertThat(input)
        .startsWith(
            "[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"Be brief.\"}]}")
        .contains("{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"long prompt long")
        .hasSizeLessThanOrEqualTo(16 * 1024);
    String output =
        (String) only(spans, Span.SpanKind.SPAN_KIND_CLIENT).attribute("gen_ai.output.messages");
    assertThat(output)
        .isEqualTo(
            "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"The completion"
                + " text\"}],\"finish_reason\":\"stop\"}]");
    for (Received s : spans) {
      assertThat(s.span().toString()).doesNotContain(KEY);
    }
  }

  @Test
  void aRatioOfZeroRecordsNoNewTraceButFollowsTheAppsSampledDecision() throws Exception {
    startTraced(", samplingRatio: 0");
    gpt.enqueue(ok(openAiCompletion("Hi", "stop")));
    gpt.enqueue(ok(openAiCompletion("Hi", "stop")));
    String body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    assertThat(sidecar.post("/v1/chat/completions", body).statusCode()).isEqualTo(200);
    String[] unsampled = traceparent(gpt.takeRequest());
    assertThat(sampled(unsampled)).isFalse();

    assertThat(
            sidecar
                .post(
                    "/v1/chat/completions",
                    body,
                    "traceparent",
                    "00-" + TRACE_ID + "-" + APP_SPAN + "-01")
                .statusCode())
        .isEqualTo(200);
    assertThat(sampled(traceparent(gpt.takeRequest()))).isTrue();
    receiver.awaitTrace(TRACE_ID, 2);
    Thread.sleep(1500); // past an export interval: the unsampled trace would have arrived by now
    assertThat(receiver.spans()).allMatch(s -> s.traceId().equals(TRACE_ID));
    assertThat(receiver.spans()).noneMatch(s -> s.traceId().equals(unsampled[1]));
  }

  @Test
  void aFailingCollectorChangesNoAnswerAndIsCounted() throws Exception {
    receiver.failing(true);
    startTraced(", exportTimeout: 1s");
    String body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    for (int i = 0; i < 3; i++) {
      gpt.enqueue(ok(openAiCompletion("Hi", "stop")));
      HttpResponse<String> r = sidecar.post("/v1/chat/completions", body);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"content\":\"Hi\"");
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!sidecar.metrics().contains("aihandler_trace_spans_total{result=\"failed\"} 6.0")
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(sidecar.metrics()).contains("aihandler_trace_spans_total{result=\"failed\"} 6.0");
    assertThat(receiver.exports()).isPositive();
    assertThat(receiver.spans()).isEmpty();
  }

  @Test
  void anUnreachableCollectorChangesNoAnswer() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    startSidecar(
        "{otlpEndpoint: \"http://127.0.0.1:" + closed + "/v1/traces\", exportTimeout: 1s}");
    gpt.enqueue(ok(openAiCompletion("Hi", "stop")));
    long started = System.nanoTime();
    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(System.nanoTime() - started).isLessThan(2_000_000_000L);
  }

  @Test
  void tracingOffSendsNoTraceContextUpstreamButStillTheRequestId() throws Exception {
    startSidecar("{}");
    assertThat(sidecar.main.tracing().enabled()).isFalse();
    gpt.enqueue(ok(openAiCompletion("Hi", "stop")));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "traceparent",
            "00-" + TRACE_ID + "-" + APP_SPAN + "-01");
    assertThat(r.statusCode()).isEqualTo(200);
    RecordedRequest up = gpt.takeRequest();
    assertThat(up.getHeaders().get("traceparent")).isNull();
    assertThat(up.getHeaders().get("x-request-id"))
        .isEqualTo(r.headers().firstValue("x-request-id").orElseThrow())
        .matches("[0-9a-f]{32}");
  }

  @Test
  void aReloadTurnsTracingOnAndOff() throws Exception {
    startSidecar("{}");
    String on =
        java.nio.file.Files.readString(sidecar.configFile)
            .replace("tracing: {}", "tracing: {otlpEndpoint: \"" + receiver.endpoint() + "\"}");
    sidecar.rewriteConfig(on);
    assertThat(sidecar.main.tracing().enabled()).isTrue();
    gpt.enqueue(ok(openAiCompletion("Hi", "stop")));
    sidecar.post(
        "/v1/chat/completions",
        "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "traceparent",
        "00-" + TRACE_ID + "-" + APP_SPAN + "-01");
    receiver.awaitTrace(TRACE_ID, 2);
    assertThat(receiver.spans().getFirst().resourceAttribute("service.name"))
        .isEqualTo("aihandler-router");

    sidecar.rewriteConfig(
        on.replace("tracing: {otlpEndpoint: \"" + receiver.endpoint() + "\"}", "tracing: {}"));
    assertThat(sidecar.main.tracing().enabled()).isFalse();
  }
}
