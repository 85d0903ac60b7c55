package io.aihandler.router.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.testing.OpenAiFixtures;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiTranslatorTest {

  static final ObjectMapper MAPPER = new ObjectMapper();

  static TranslationContext ctx(JsonNode schema, String mode, boolean usage) {
    return new TranslationContext(
        "gpt-4o", "my-task", "chatcmpl-x", 42, schema, "answer", mode, 4096, usage);
  }

  static ObjectNode request(String json) throws Exception {
    return (ObjectNode) MAPPER.readTree(json);
  }

  @Test
  void asksForTheSchemaTheWayEachFlavorUnderstands() throws Exception {
    JsonNode schema = MAPPER.readTree("{\"type\":\"object\"}");
    ObjectNode req =
        request("{\"model\":\"my-task\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    UpstreamRequest openai = new OpenAiTranslator().toUpstream(req, ctx(schema, "native", true));
    assertThat(openai.path()).isEqualTo("/chat/completions");
    assertThat(openai.body().path("model").asText()).isEqualTo("gpt-4o");
    assertThat(openai.body().path("response_format").path("json_schema").path("schema"))
        .isEqualTo(schema);
    assertThat(req.path("model").asText())
        .as("the caller's request is not changed")
        .isEqualTo("my-task");

    UpstreamRequest vllm =
        new OpenAiTranslator(OpenAiTranslator.Flavor.VLLM, null)
            .toUpstream(req, ctx(schema, "guided", true));
    assertThat(vllm.body().path("structured_outputs").path("json")).isEqualTo(schema);
    assertThat(vllm.body().has("response_format")).isFalse();

    UpstreamRequest prompt =
        new OpenAiTranslator(OpenAiTranslator.Flavor.COMPATIBLE, null)
            .toUpstream(req, ctx(schema, "prompt", true));
    assertThat(prompt.body().path("messages").get(0).path("content").asText())
        .contains("JSON Schema");

    OpenAiTranslator azure = new OpenAiTranslator(OpenAiTranslator.Flavor.AZURE, "2024-10-21");
    assertThat(azure.toUpstream(req, ctx(null, "native", true)).path())
        .isEqualTo("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
    assertThat(azure.authHeaders("k")).isEqualTo(Map.of("api-key", "k"));
    assertThat(new OpenAiTranslator().authHeaders("k"))
        .isEqualTo(Map.of("authorization", "Bearer k"));
  }

  @Test
  void theCallersRequestServesEveryAttemptUnchanged() throws Exception {
    JsonNode schema = MAPPER.readTree("{\"type\":\"object\"}");
    String json =
        "{\"model\":\"my-task\",\"stream\":true,\"stream_options\":{\"include_usage\":false},"
            + "\"response_format\":{\"type\":\"json_object\"},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    ObjectNode req = request(json);
    for (String mode : new String[] {"native", "guided", "prompt"}) {
      for (OpenAiTranslator.Flavor flavor : OpenAiTranslator.Flavor.values()) {
        UpstreamRequest up =
            new OpenAiTranslator(flavor, "2024-10-21").toUpstream(req, ctx(schema, mode, true));
        assertThat(up.body()).isNotSameAs(req);
      }
    }
    UpstreamRequest prompt =
        new OpenAiTranslator(OpenAiTranslator.Flavor.COMPATIBLE, null)
            .toUpstream(req, ctx(schema, "prompt", true));
    assertThat(prompt.body().path("messages")).hasSize(2);
    assertThat(prompt.body().path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(req).as("after every flavor and mode").isEqualTo(MAPPER.readTree(json));
  }

  @Test
  void streamingAlwaysAsksForUsageUpstream() throws Exception {
    UpstreamRequest up =
        new OpenAiTranslator()
            .toUpstream(
                request("{\"model\":\"t\",\"stream\":true,\"messages\":[]}"),
                ctx(null, "native", false));
    assertThat(up.streaming()).isTrue();
    assertThat(up.body().path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void completionGetsTheSidecarsIdAndModel() throws Exception {
    ObjectNode out =
        new OpenAiTranslator()
            .toChatCompletion(
                MAPPER.readTree(OpenAiFixtures.openAiCompletion("hi", "stop")),
                ctx(null, "native", true));
    assertThat(out.path("id").asText()).isEqualTo("chatcmpl-x");
    assertThat(out.path("model").asText()).isEqualTo("my-task");
    assertThat(out.path("usage").path("prompt_tokens").asInt()).isEqualTo(19);
    assertThatThrownBy(
            () ->
                new OpenAiTranslator()
                    .toChatCompletion(MAPPER.readTree("{}"), ctx(null, "native", true)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorsOfOpenAiAndVllmAreClassified() {
    OpenAiTranslator t = new OpenAiTranslator();
    UpstreamError rl =
        t.toError(
            429,
            "{\"error\":{\"message\":\"slow\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
            Map.of("retry-after", "3"));
    assertThat(rl.kind()).isEqualTo(UpstreamError.Kind.RATE_LIMITED);
    assertThat(rl.type()).isEqualTo("rate_limit_error");
    assertThat(rl.retryAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(t.toError(429, "{}", Map.of("retry-after-ms", "1500")).retryAfter())
        .isEqualTo(Duration.ofMillis(1500));

    UpstreamError vllm =
        t.toError(
            400,
            "{\"object\":\"error\",\"message\":\"maximum context length is 8192\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
            Map.of());
    assertThat(vllm.kind()).isEqualTo(UpstreamError.Kind.CLIENT_ERROR);
    assertThat(vllm.message()).contains("8192");
    assertThat(vllm.type()).isEqualTo("invalid_request_error");

    assertThat(t.toError(401, "", Map.of()).kind()).isEqualTo(UpstreamError.Kind.AUTHENTICATION);
    UpstreamError html = t.toError(502, "<html>bad gateway</html>", Map.of());
    assertThat(html.kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
    assertThat(html.message()).isEqualTo("upstream answered HTTP 502");
  }

  @Test
  void aStreamWithoutDoneIsBrokenAndUsageIsDroppedUnlessAsked() {
    var events = OpenAiFixtures.streamEvents(java.util.List.of("a"), true);
    var st = new OpenAiTranslator().newStream(ctx(null, "native", false));
    int chunks = 0;
    for (String e : events) {
      chunks += st.onEvent(null, e).size();
    }
    assertThat(chunks).as("role, content and finish chunks; no usage chunk").isEqualTo(3);
    assertThat(st.onEnd()).isEmpty();

    var cut = new OpenAiTranslator().newStream(ctx(null, "native", true));
    cut.onEvent(null, events.get(0));
    assertThatThrownBy(cut::onEnd).isInstanceOf(UpstreamStreamException.class);
    assertThatThrownBy(() -> cut.onEvent(null, "{not json"))
        .isInstanceOf(UpstreamStreamException.class);
  }
}
