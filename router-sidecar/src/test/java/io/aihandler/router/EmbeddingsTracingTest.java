package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.EmbeddingFixtures;
import io.aihandler.router.testing.OtlpReceiver;
import io.aihandler.router.testing.OtlpReceiver.Received;
import io.aihandler.router.testing.Sidecar;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An embeddings call is traced as the conventions' {@code embeddings} operation. */
class EmbeddingsTracingTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TempDir Path dir;
  MockWebServer openai;
  OtlpReceiver receiver;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    openai = new MockWebServer();
    openai.start();
    receiver = new OtlpReceiver();
    sidecar =
        new Sidecar(
            dir,
            """
            sidecar:
              tracing: {otlpEndpoint: "%s", captureContent: true}
            backends:
              - name: oai
                provider: openai
                baseUrl: "%s"
                model: text-embedding-3-small
                credentials: {env: OPENAI_API_KEY}
                capabilities: {chat: false, embeddings: {dimensions: 8}}
            routes:
              - {name: embed, targets: [{backend: oai}]}
            """
                .formatted(receiver.endpoint(), openai.url("/v1")),
            Map.of("OPENAI_API_KEY", "sk-test-key-0123456789"));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    openai.close();
    receiver.close();
  }

  @Test
  void anEmbeddingsCallIsAnEmbeddingsSpanWithItsAttempt() throws Exception {
    openai.enqueue(
        EmbeddingFixtures.ok(EmbeddingFixtures.openAi(1, 2, 8, true, "text-embedding-3-small", 7)));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/embeddings",
            "{\"model\":\"embed\",\"input\":[\"first secret\",\"second\"]}",
            "traceparent",
            "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
    assertThat(r.statusCode()).isEqualTo(200);

    List<Received> spans = receiver.awaitTrace(TRACE_ID, 2);
    Received server =
        spans.stream()
            .filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER)
            .findFirst()
            .orElseThrow();
    Received attempt =
        spans.stream()
            .filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT)
            .findFirst()
            .orElseThrow();
    assertThat(server.name()).isEqualTo("embeddings embed");
    assertThat(attempt.name()).isEqualTo("embeddings text-embedding-3-small");
    assertThat(server.attributes())
        .containsEntry("gen_ai.operation.name", "embeddings")
        .containsEntry("aihandler.endpoint", "embeddings")
        .containsEntry("gen_ai.usage.input_tokens", 7L)
        .containsEntry("aihandler.outcome", "success");
    assertThat(attempt.attributes())
        .containsEntry("gen_ai.operation.name", "embeddings")
        .containsEntry("gen_ai.provider.name", "openai")
        .containsEntry("gen_ai.usage.input_tokens", 7L)
        .containsEntry("aihandler.outcome", "ok");
    // Embeddings inputs are not captured even with captureContent on.
    for (Received s : spans) {
      assertThat(s.span().toString()).doesNotContain("first secret");
    }
    assertThat(openai.takeRequest().getHeaders().get("traceparent")).contains(attempt.spanId());
  }
}
