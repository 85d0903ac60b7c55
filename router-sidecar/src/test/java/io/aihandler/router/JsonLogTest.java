package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.openAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.logging.JsonLogFormatter;
import io.aihandler.logging.LogFormat;
import io.aihandler.logging.LogOutput;
import io.aihandler.router.testing.LogCapture;
import io.aihandler.router.testing.OtlpReceiver;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sidecar.logFormat: json}: every line is one JSON object with the request's ids, the access
 * line's facts are fields, and neither a key nor a prompt appears.
 */
class JsonLogTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String KEY = "sk-test-key-0123456789";
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TempDir Path dir;
  MockWebServer openai;
  OtlpReceiver receiver;
  Sidecar sidecar;
  LogCapture log;

  @BeforeEach
  void start() throws Exception {
    openai = new MockWebServer();
    openai.start();
    receiver = new OtlpReceiver();
    log = new LogCapture(new JsonLogFormatter());
    sidecar =
        new Sidecar(
            dir,
            """
            sidecar:
              logFormat: json
              tracing: {otlpEndpoint: "%s"}
            backends:
              - {name: gpt, provider: openai, baseUrl: "%s", model: gpt-4o, credentials: {env: KEY}}
            routes:
              - {name: chat, targets: [{backend: gpt}]}
            """
                .formatted(receiver.endpoint(), openai.url("/v1")),
            Map.of("KEY", KEY));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    openai.close();
    receiver.close();
    log.close();
    LogOutput.use(LogFormat.TEXT);
  }

  private List<JsonNode> lines() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : log.lines()) {
      assertThat(line).endsWith("\n");
      assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
      out.add(MAPPER.readTree(line));
    }
    return out;
  }

  @Test
  void theConsoleWritesJsonLines() {
    List<Handler> console = new ArrayList<>();
    for (Handler h : Logger.getLogger("").getHandlers()) {
      if (h instanceof ConsoleHandler) {
        console.add(h);
      }
    }
    assertThat(console).isNotEmpty().allMatch(h -> h.getFormatter() instanceof JsonLogFormatter);
  }

  @Test
  void theAccessLineIsFieldsWithTheRequestAndTraceIds() throws Exception {
    openai.enqueue(ok(openAiCompletion("The completion text", "stop")));
    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"The secret prompt\"}]}",
            "x-request-id",
            "json-req-1",
            "traceparent",
            "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
    assertThat(r.statusCode()).isEqualTo(200);
    log.awaitLine(l -> l.contains("\"msg\":\"request\""));

    JsonNode access =
        lines().stream()
            .filter(j -> j.path("logger").asText().equals("io.aihandler.router.access"))
            .findFirst()
            .orElseThrow();
    assertThat(access.path("ts").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(access.path("level").asText()).isEqualTo("info");
    assertThat(access.path("msg").asText()).isEqualTo("request");
    assertThat(access.path("request_id").asText()).isEqualTo("json-req-1");
    assertThat(access.path("trace_id").asText()).isEqualTo(TRACE_ID);
    String server =
        receiver
            .await(
                1, s -> s.kind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER)
            .getFirst()
            .spanId();
    assertThat(access.path("span_id").asText()).isEqualTo(server);
    assertThat(access.path("method").asText()).isEqualTo("POST");
    assertThat(access.path("path").asText()).isEqualTo("/v1/chat/completions");
    assertThat(access.path("status").asInt()).isEqualTo(200);
    assertThat(access.path("model").asText()).isEqualTo("chat");
    assertThat(access.path("route").asText()).isEqualTo("chat");
    assertThat(access.path("backend").asText()).isEqualTo("gpt");
    assertThat(access.path("attempts").asInt()).isEqualTo(1);
    assertThat(access.path("outcome").asText()).isEqualTo("success");
    assertThat(access.path("data_class").asText()).isEqualTo("none");
    assertThat(access.path("tokens_in").asLong()).isEqualTo(19);
    assertThat(access.path("tokens_out").asLong()).isEqualTo(10);
    assertThat(access.path("cost_usd").isNumber()).isTrue();
    assertThat(access.path("duration_ms").isIntegralNumber()).isTrue();
    assertThat(log.all()).doesNotContain(KEY, "secret prompt", "The completion text");
  }

  @Test
  void aWarningAboutARequestCarriesItsIdAndAHostileModelStaysOneField() throws Exception {
    openai.enqueue(openAiError(401, "invalid_request_error", "invalid_api_key", "bad key"));
    String hostile = "chat\\n{\\\"level\\\":\\\"error\\\"}";
    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"" + hostile + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "x-request-id",
            "json-req-2");
    assertThat(r.statusCode()).isEqualTo(404);
    log.awaitLine(l -> l.contains("\"msg\":\"request\""));
    JsonNode access =
        lines().stream()
            .filter(j -> j.path("msg").asText().equals("request"))
            .findFirst()
            .orElseThrow();
    assertThat(access.path("model").asText()).isEqualTo("chat\n{\"level\":\"error\"}");
    assertThat(access.path("level").asText()).isEqualTo("info");
    assertThat(access.path("request_id").asText()).isEqualTo("json-req-2");
    assertThat(access.path("outcome").asText()).isEqualTo("client_error");
    // Every line parsed as one object: none was forged.
    assertThat(lines()).allMatch(j -> j.isObject() && j.has("ts") && j.has("msg"));
  }
}
