package io.aihandler.router.abuse;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.OtlpReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces and JSON logs of a real sidecar process: with tracing off not one OpenTelemetry class is
 * loaded; with it on, spans reach a collector and every line the process writes is JSON.
 */
class ObservabilityProcessTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TempDir Path dir;
  MockWebServer openai;
  OtlpReceiver receiver;
  SidecarProcess sidecar;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    openai = new MockWebServer();
    openai.start();
    receiver = new OtlpReceiver();
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    openai.close();
    receiver.close();
  }

  private Path config(String sidecarSettings) throws Exception {
    Path config = dir.resolve("router.yaml");
    Files.writeString(
        config,
        """
        sidecar: %s
        backends:
          - {name: gpt, provider: vllm, baseUrl: "%s", model: gpt-4o}
        routes:
          - {name: chat, targets: [{backend: gpt}]}
        """
            .formatted(sidecarSettings, openai.url("/v1")));
    return config;
  }

  private HttpResponse<String> chat() throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sidecar.port() + "/v1/chat/completions"))
            .header("content-type", "application/json")
            .header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"The secret"
                        + " prompt\"}]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tracingOffLoadsNoOpenTelemetryClass() throws Exception {
    Path classes = dir.resolve("classes.txt");
    sidecar =
        SidecarProcess.startWith(config("{}"), List.of("-Xlog:class+load=info:file=" + classes));
    openai.enqueue(ok(openAiCompletion("Hi", "stop")));
    assertThat(chat().statusCode()).isEqualTo(200);
    assertThat(openai.takeRequest().getHeaders().get("traceparent")).isNull();
    sidecar.terminate(Duration.ofSeconds(30));

    List<String> loaded = Files.readAllLines(classes);
    assertThat(loaded).anyMatch(l -> l.contains("io.aihandler.router.server.RouterServer"));
    assertThat(loaded).noneMatch(l -> l.contains("io.opentelemetry"));
  }

  @Test
  void tracedWithJsonLogsEveryLineIsJsonAndSpansReachTheCollector() throws Exception {
    sidecar =
        SidecarProcess.start(
            config("{logFormat: json, tracing: {otlpEndpoint: \"" + receiver.endpoint() + "\"}}"));
    openai.enqueue(ok(openAiCompletion("The completion text", "stop")));
    HttpResponse<String> r = chat();
    assertThat(r.statusCode()).isEqualTo(200);
    String requestId = r.headers().firstValue("x-request-id").orElseThrow();

    List<OtlpReceiver.Received> spans = receiver.awaitTrace(TRACE_ID, 2);
    assertThat(spans).extracting(OtlpReceiver.Received::name).contains("chat chat", "chat gpt-4o");
    assertThat(sidecar.awaitLog(0, Pattern.compile("\"msg\":\"request\""), Duration.ofSeconds(5)))
        .isPresent();

    JsonNode access = null;
    for (String line : sidecar.log()) {
      JsonNode j = MAPPER.readTree(line);
      assertThat(j.isObject()).as(line).isTrue();
      assertThat(j.has("ts") && j.has("level") && j.has("logger") && j.has("msg"))
          .as(line)
          .isTrue();
      if (j.path("msg").asText().equals("request")) {
        access = j;
      }
    }
    assertThat(access).isNotNull();
    assertThat(access.path("request_id").asText()).isEqualTo(requestId);
    assertThat(access.path("trace_id").asText()).isEqualTo(TRACE_ID);
    assertThat(String.join("\n", sidecar.log()))
        .doesNotContain("secret prompt", "The completion text");
  }
}
