package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backends of provider anthropic and gemini are served through their translators. */
class ProviderWiringTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void anthropicAndGeminiBackendsAreCalledInTheirOwnWireFormat() throws Exception {
    try (MockWebServer anthropic = new MockWebServer();
        MockWebServer gemini = new MockWebServer()) {
      anthropic.start();
      gemini.start();
      anthropic.enqueue(
          new MockResponse.Builder()
              .code(200)
              .addHeader("content-type", "application/json")
              .body(
                  "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\","
                      + "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"Hi from Claude\"}],"
                      + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                      + "\"usage\":{\"input_tokens\":12,\"output_tokens\":6}}")
              .build());
      gemini.enqueue(
          new MockResponse.Builder()
              .code(200)
              .addHeader("content-type", "application/json")
              .body(
                  "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi from Gemini\"}],\"role\":\"model\"},"
                      + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":5,"
                      + "\"candidatesTokenCount\":4,\"totalTokenCount\":9},\"modelVersion\":\"gemini-2.5-flash\","
                      + "\"responseId\":\"mTm5aL3oMqGq1dkP7ZbW0Ak\"}")
              .build());
      try (Sidecar sidecar =
          new Sidecar(
              dir,
              """
              backends:
                - {name: claude, provider: anthropic, baseUrl: "%s", model: claude-sonnet-4-5, credentials: {env: ANTHROPIC_API_KEY}}
                - {name: flash, provider: gemini, baseUrl: "%s", model: gemini-2.5-flash, credentials: {env: GEMINI_API_KEY}}
              """
                  .formatted(
                      anthropic.url("/").toString().replaceAll("/$", ""),
                      gemini.url("/").toString().replaceAll("/$", "")),
              Map.of("ANTHROPIC_API_KEY", "sk-ant-test-1", "GEMINI_API_KEY", "AIza-test-2"))) {
        String chat =
            "{\"model\":\"%s\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"hi\"}]}";

        HttpResponse<String> c = sidecar.post("/v1/chat/completions", chat.formatted("claude"));
        HttpResponse<String> g = sidecar.post("/v1/chat/completions", chat.formatted("flash"));

        assertThat(c.statusCode()).isEqualTo(200);
        assertThat(
                MAPPER
                    .readTree(c.body())
                    .path("choices")
                    .get(0)
                    .path("message")
                    .path("content")
                    .asText())
            .isEqualTo("Hi from Claude");
        RecordedRequest toAnthropic = anthropic.takeRequest();
        assertThat(toAnthropic.getTarget()).isEqualTo("/v1/messages");
        assertThat(toAnthropic.getHeaders().get("x-api-key")).isEqualTo("sk-ant-test-1");
        assertThat(MAPPER.readTree(toAnthropic.getBody().utf8()).has("system")).isTrue();

        assertThat(g.statusCode()).isEqualTo(200);
        assertThat(
                MAPPER
                    .readTree(g.body())
                    .path("choices")
                    .get(0)
                    .path("message")
                    .path("content")
                    .asText())
            .isEqualTo("Hi from Gemini");
        RecordedRequest toGemini = gemini.takeRequest();
        assertThat(toGemini.getTarget()).contains("gemini-2.5-flash:generateContent");
        assertThat(toGemini.getHeaders().get("x-goog-api-key")).isEqualTo("AIza-test-2");
      }
    }
  }
}
