package io.aihandler.router.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.testing.ProviderPayloads;
import io.aihandler.router.testing.ServerSentEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeminiStreamTranslationTest {

  private final GeminiTranslator translator = new GeminiTranslator();

  static TranslationContext context(boolean includeUsage) {
    return new TranslationContext(
        "gemini-2.5-flash",
        "support-triage",
        "chatcmpl-g3m1n1",
        1_735_689_600L,
        null,
        null,
        "native",
        1024,
        includeUsage);
  }

  static List<ObjectNode> translate(StreamTranslator stream, String fixture) {
    List<ObjectNode> chunks = new ArrayList<>();
    for (ServerSentEvents.Event event : ServerSentEvents.parse(Fixtures.text(fixture))) {
      chunks.addAll(stream.onEvent(event.event(), event.data()));
    }
    chunks.addAll(stream.onEnd());
    return chunks;
  }

  static String content(List<ObjectNode> chunks) {
    StringBuilder text = new StringBuilder();
    for (ObjectNode chunk : chunks) {
      JsonNode content = chunk.at("/choices/0/delta/content");
      if (content.isTextual()) {
        text.append(content.asText());
      }
    }
    return text.toString();
  }

  @Test
  void textStreamBecomesOpenAiChunksWithUsageFromTheLastResponse() {
    List<ObjectNode> chunks = translate(translator.newStream(context(true)), "stream-text.sse");

    assertThat(chunks).hasSize(6);
    assertThat(chunks.get(0).at("/choices/0/delta"))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"role\": \"assistant\", \"content\": \"\", \"refusal\": null}"));
    assertThat(content(chunks)).isEqualTo("Paris is warmer than Berlin today.");
    assertThat(chunks.get(4).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(chunks.get(4).at("/choices/0/delta")).isEmpty();
    assertThat(ProviderPayloads.wire(chunks.get(5)))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"id": "chatcmpl-g3m1n1", "object": "chat.completion.chunk", "created": 1735689600,
                 "model": "support-triage", "choices": [],
                 "usage": {"prompt_tokens": 9, "completion_tokens": 128, "total_tokens": 137,
                           "prompt_tokens_details": {"cached_tokens": 0},
                           "completion_tokens_details": {"reasoning_tokens": 121}}}
                """));
    assertThat(chunks.subList(0, 5))
        .allSatisfy(chunk -> assertThat(chunk.get("usage").isNull()).isTrue());
  }

  @Test
  void withoutIncludeUsageTheStreamEndsWithTheFinishChunk() {
    List<ObjectNode> chunks = translate(translator.newStream(context(false)), "stream-text.sse");

    assertThat(chunks).hasSize(5);
    assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.has("usage")).isFalse());
  }

  @Test
  void wholeFunctionCallsBecomeIndexIdNameThenArguments() {
    List<ObjectNode> chunks =
        translate(translator.newStream(context(false)), "stream-function-call.sse");

    List<JsonNode> calls = new ArrayList<>();
    chunks.forEach(chunk -> chunk.at("/choices/0/delta/tool_calls").forEach(calls::add));
    assertThat(ProviderPayloads.wire(calls.get(0)))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"index": 0, "id": "call_g3m1n1_0", "type": "function",
                 "function": {"name": "get_weather", "arguments": ""},
                 "extra_content": {"google": {"thought_signature": "CiQB0e2Kb3dRh8m9"}}}
                """));
    assertThat(ProviderPayloads.wire(calls.get(1)))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"index\": 0, \"function\": {\"arguments\": \"{\\\"location\\\":\\\"Paris, FR\\\"}\"}}"));
    assertThat(calls.get(2).get("index").asInt()).isEqualTo(1);
    assertThat(calls.get(2).get("id").asText()).isEqualTo("call_g3m1n1_1");
    assertThat(calls.get(3).at("/function/arguments").asText())
        .isEqualTo("{\"location\":\"Berlin, DE\"}");
    assertThat(content(chunks)).isEqualTo("Checking both cities.");
    assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void blockedPromptEndsTheStreamWithContentFilter() {
    List<ObjectNode> chunks =
        translate(translator.newStream(context(true)), "stream-blocked-prompt.sse");

    assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText())
        .isEqualTo("content_filter");
    assertThat(chunks.get(chunks.size() - 1).at("/usage/prompt_tokens").asLong()).isEqualTo(15);
  }

  @Test
  void errorDataMidStreamFailsTheStream() {
    StreamTranslator stream = translator.newStream(context(true));
    List<ServerSentEvents.Event> events =
        ServerSentEvents.parse(Fixtures.text("stream-unavailable-error.sse"));

    List<ObjectNode> chunks = stream.onEvent(null, events.get(0).data());
    assertThat(content(chunks)).isEqualTo("The answer is");
    assertThatThrownBy(() -> stream.onEvent(null, events.get(1).data()))
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(503);
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
              assertThat(e.error().code()).isEqualTo("UNAVAILABLE");
            });
  }

  @Test
  void streamThatEndsWithoutAFinishReasonIsAnErrorNotACleanEnd() {
    StreamTranslator stream = translator.newStream(context(true));
    List<ObjectNode> chunks = new ArrayList<>();
    for (ServerSentEvents.Event event : ServerSentEvents.parse(Fixtures.text("stream-cut.sse"))) {
      chunks.addAll(stream.onEvent(event.event(), event.data()));
    }

    assertThat(content(chunks)).isEqualTo("Step one: open the");
    assertThatThrownBy(stream::onEnd)
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
              assertThat(e.error().code()).isEqualTo("stream_truncated");
            });
  }

  @Test
  void unparseableDataIsAStreamError() {
    StreamTranslator stream = translator.newStream(context(false));
    assertThatThrownBy(() -> stream.onEvent(null, "{\"candidates\": ["))
        .isInstanceOf(UpstreamStreamException.class)
        .hasMessageContaining("not a JSON object");
  }
}
