package io.aihandler.router.provider.anthropic;

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

class AnthropicStreamTranslationTest {

  private final AnthropicTranslator translator = new AnthropicTranslator();

  private static TranslationContext context(boolean includeUsage) {
    TranslationContext base = AnthropicRequestTranslationTest.context();
    return new TranslationContext(
        base.model(),
        base.responseModel(),
        base.responseId(),
        base.createdEpochSeconds(),
        null,
        null,
        "native",
        1024,
        includeUsage);
  }

  /** Feeds a whole SSE fixture through a stream translator, then ends it. */
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
  void textStreamBecomesOpenAiChunksWithRoleFirstFinishLastAndUsage() {
    List<ObjectNode> chunks = translate(translator.newStream(context(true)), "stream-text.sse");

    assertThat(chunks).hasSize(5);
    assertThat(ProviderPayloads.wire(chunks.get(0)))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"id": "chatcmpl-a1b2c3", "object": "chat.completion.chunk", "created": 1735689600,
                 "model": "support-triage",
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": "", "refusal": null},
                              "logprobs": null, "finish_reason": null}],
                 "usage": null}
                """));
    assertThat(chunks.get(1).at("/choices/0/delta/content").asText()).isEqualTo("Hello");
    assertThat(chunks.get(2).at("/choices/0/delta/content").asText())
        .isEqualTo("! How can I help?");
    assertThat(chunks.get(3).at("/choices/0/delta")).isEmpty();
    assertThat(chunks.get(3).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(ProviderPayloads.wire(chunks.get(4)))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"id": "chatcmpl-a1b2c3", "object": "chat.completion.chunk", "created": 1735689600,
                 "model": "support-triage", "choices": [],
                 "usage": {"prompt_tokens": 1225, "completion_tokens": 15, "total_tokens": 1240,
                           "prompt_tokens_details": {"cached_tokens": 1200}}}
                """));
  }

  @Test
  void withoutIncludeUsageThereIsNoUsageChunkAndNoUsageField() {
    List<ObjectNode> chunks = translate(translator.newStream(context(false)), "stream-text.sse");

    assertThat(chunks).hasSize(4);
    assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.has("usage")).isFalse());
    assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.get("choices")).hasSize(1));
  }

  @Test
  void toolUseBlocksBecomeToolCallsWithStableIndexIdAndNameThenArgumentFragments() {
    List<ObjectNode> chunks =
        translate(translator.newStream(context(false)), "stream-tool-use.sse");

    assertThat(content(chunks)).isEqualTo("Okay, let's check the weather for San Francisco, CA:");
    List<JsonNode> calls = new ArrayList<>();
    for (ObjectNode chunk : chunks) {
      chunk.at("/choices/0/delta/tool_calls").forEach(calls::add);
    }
    JsonNode weatherStart = calls.get(0);
    assertThat(weatherStart)
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"index": 0, "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "type": "function",
                 "function": {"name": "get_weather", "arguments": ""}}
                """));
    StringBuilder weatherArgs = new StringBuilder();
    StringBuilder timeArgs = new StringBuilder();
    for (JsonNode call : calls.subList(1, calls.size())) {
      if (call.has("id")) {
        assertThat(call.get("index").asInt()).isEqualTo(1);
        assertThat(call.at("/function/name").asText()).isEqualTo("get_time");
        continue;
      }
      assertThat(call.has("type")).isFalse();
      (call.get("index").asInt() == 0 ? weatherArgs : timeArgs)
          .append(call.at("/function/arguments").asText());
    }
    assertThat(ProviderPayloads.parse(weatherArgs.toString()))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}"));
    assertThat(ProviderPayloads.parse(timeArgs.toString()))
        .isEqualTo(ProviderPayloads.parse("{\"timezone\": \"America/Los_Angeles\"}"));
    ObjectNode last = chunks.get(chunks.size() - 1);
    assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    // Only the last choice chunk carries a finish reason.
    assertThat(chunks.subList(0, chunks.size() - 1))
        .allSatisfy(chunk -> assertThat(chunk.at("/choices/0/finish_reason").isNull()).isTrue());
  }

  @Test
  void forcedAnswerToolStreamsAsContent() {
    TranslationContext schemaContext =
        AnthropicRequestTranslationTest.schemaContext(
            ProviderPayloads.parse("{\"type\": \"object\"}"), "native");

    List<ObjectNode> chunks =
        translate(translator.newStream(schemaContext), "stream-forced-tool-answer.sse");

    assertThat(ProviderPayloads.parse(content(chunks)))
        .isEqualTo(ProviderPayloads.parse("{\"category\": \"billing\", \"priority\": 2}"));
    assertThat(chunks)
        .noneSatisfy(chunk -> assertThat(chunk.at("/choices/0/delta").has("tool_calls")).isTrue());
    assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText())
        .isEqualTo("stop");
  }

  @Test
  void inBandOverloadedErrorAfterHttp200FailsTheStream() {
    StreamTranslator stream = translator.newStream(context(true));
    List<ServerSentEvents.Event> events =
        ServerSentEvents.parse(Fixtures.text("stream-overloaded-error.sse"));
    List<ObjectNode> chunks = new ArrayList<>();
    for (ServerSentEvents.Event event : events.subList(0, events.size() - 1)) {
      chunks.addAll(stream.onEvent(event.event(), event.data()));
    }
    assertThat(content(chunks)).isEqualTo("The answer is");

    ServerSentEvents.Event error = events.get(events.size() - 1);
    assertThat(error.event()).isEqualTo("error");
    assertThatThrownBy(() -> stream.onEvent(error.event(), error.data()))
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(503);
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
              assertThat(e.error().code()).isEqualTo("overloaded_error");
              assertThat(e.getMessage()).isEqualTo("Overloaded");
            });
  }

  @Test
  void streamThatEndsWithoutMessageStopIsAnErrorNotACleanEnd() {
    StreamTranslator stream = translator.newStream(context(true));
    List<ObjectNode> chunks = new ArrayList<>();
    for (ServerSentEvents.Event event : ServerSentEvents.parse(Fixtures.text("stream-cut.sse"))) {
      chunks.addAll(stream.onEvent(event.event(), event.data()));
    }

    assertThat(content(chunks)).isEqualTo("Step one: open the");
    assertThat(chunks)
        .noneSatisfy(
            chunk -> assertThat(chunk.at("/choices/0/finish_reason").isTextual()).isTrue());
    assertThatThrownBy(stream::onEnd)
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
              assertThat(e.error().code()).isEqualTo("stream_truncated");
            });
  }

  @Test
  void unparseableEventIsAStreamError() {
    StreamTranslator stream = translator.newStream(context(false));
    assertThatThrownBy(
            () -> stream.onEvent("content_block_delta", "{\"type\": \"content_block_delta\", "))
        .isInstanceOf(UpstreamStreamException.class)
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void eventNamesAreNotNeededBecauseTheDataCarriesTheType() {
    StreamTranslator named = translator.newStream(context(false));
    StreamTranslator unnamed = translator.newStream(context(false));
    List<ObjectNode> withNames = new ArrayList<>();
    List<ObjectNode> withoutNames = new ArrayList<>();
    for (ServerSentEvents.Event event : ServerSentEvents.parse(Fixtures.text("stream-text.sse"))) {
      withNames.addAll(named.onEvent(event.event(), event.data()));
      withoutNames.addAll(unnamed.onEvent(null, event.data()));
    }
    assertThat(withoutNames).isEqualTo(withNames);
  }
}
