package io.aihandler.router.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import io.aihandler.router.provider.TranslationContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the translator produces is read and validated by the official OpenAI Java SDK. */
class AnthropicOpenAiSdkCompatibilityTest {

  private final AnthropicTranslator translator = new AnthropicTranslator();

  @Test
  void completionWithToolCallsPassesTheSdksValidation() throws Exception {
    ObjectNode completion =
        translator.toChatCompletion(
            Fixtures.json("message-tool-use.json"), AnthropicRequestTranslationTest.context());

    ChatCompletion parsed =
        ObjectMappers.jsonMapper()
            .readValue(completion.toString(), ChatCompletion.class)
            .validate();

    assertThat(parsed.choices().get(0).finishReason())
        .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(
            parsed
                .choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow()
                .get(0)
                .asFunction()
                .function()
                .name())
        .isEqualTo("get_weather");
    assertThat(parsed.usage().orElseThrow().promptTokens()).isEqualTo(2400);
  }

  @Test
  void everyStreamChunkPassesTheSdksValidation() throws Exception {
    TranslationContext context =
        new TranslationContext(
            "claude-sonnet-4-5-20250929",
            "support-triage",
            "chatcmpl-a1b2c3",
            1_735_689_600L,
            null,
            null,
            "native",
            1024,
            true);
    List<ObjectNode> chunks =
        AnthropicStreamTranslationTest.translate(
            translator.newStream(context), "stream-tool-use.sse");

    for (ObjectNode chunk : chunks) {
      ChatCompletionChunk parsed =
          ObjectMappers.jsonMapper()
              .readValue(chunk.toString(), ChatCompletionChunk.class)
              .validate();
      assertThat(parsed.id()).isEqualTo("chatcmpl-a1b2c3");
    }
    ChatCompletionChunk last =
        ObjectMappers.jsonMapper()
            .readValue(chunks.get(chunks.size() - 1).toString(), ChatCompletionChunk.class);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(89);
  }
}
