package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OpenAI response objects the provider translators produce, shaped exactly as OpenAI sends
 * them, so every provider's answers look the same to the client.
 */
public final class ChatCompletionShapes {

  /** The node factory the translators build their trees with. */
  public static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ChatCompletionShapes() {}

  /** A {@code chat.completion} with one choice. */
  public static ObjectNode completion(
      TranslationContext context, ObjectNode message, String finishReason, ObjectNode usage) {
    ObjectNode completion = envelope(context, "chat.completion");
    ObjectNode choice = completion.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("message", message);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    completion.set("usage", usage);
    return completion;
  }

  /** An assistant message with {@code content} and {@code refusal} present, as OpenAI sends it. */
  public static ObjectNode assistantMessage(String content) {
    ObjectNode message = JSON.objectNode();
    message.put("role", "assistant");
    if (content == null) {
      message.putNull("content");
    } else {
      message.put("content", content);
    }
    message.putNull("refusal");
    return message;
  }

  /**
   * A {@code chat.completion.chunk} with one choice. When the client asked for usage, OpenAI sends
   * {@code "usage": null} on every chunk but the last, and so do we.
   */
  public static ObjectNode chunk(
      TranslationContext context, ObjectNode delta, String finishReason) {
    ObjectNode chunk = envelope(context, "chat.completion.chunk");
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    if (context.includeUsage()) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  /** The final usage chunk of a stream: no choices, only usage. */
  public static ObjectNode usageChunk(TranslationContext context, ObjectNode usage) {
    ObjectNode chunk = envelope(context, "chat.completion.chunk");
    chunk.putArray("choices");
    chunk.set("usage", usage);
    return chunk;
  }

  /**
   * OpenAI usage without reasoning details, for providers that report none. {@code promptTokens}
   * already includes cached tokens, as OpenAI counts them.
   */
  public static ObjectNode usage(long promptTokens, long completionTokens, long cachedTokens) {
    ObjectNode usage = JSON.objectNode();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    usage.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
    return usage;
  }

  /**
   * OpenAI usage. {@code promptTokens} includes cached tokens and {@code completionTokens} the
   * reasoning tokens, as OpenAI counts them, so totals add up the same way for every provider.
   */
  public static ObjectNode usage(
      long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
    ObjectNode usage = JSON.objectNode();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    usage.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
    usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
    return usage;
  }

  private static ObjectNode envelope(TranslationContext context, String object) {
    ObjectNode node = JSON.objectNode();
    node.put("id", context.responseId());
    node.put("object", object);
    node.put("created", context.createdEpochSeconds());
    node.put("model", context.responseModel());
    return node;
  }
}
