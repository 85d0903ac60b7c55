package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Translates between the OpenAI chat-completions wire format, which the sidecar speaks to
 * applications, and one provider's API. Pure: no I/O, no clocks, no credentials kept, so every
 * provider's quirks are testable without a network.
 */
public interface ProviderTranslator {

  /**
   * Builds the upstream HTTP request for an OpenAI-shaped {@code chat.completions} request. The
   * request is left unchanged: it serves every attempt of a call.
   */
  UpstreamRequest toUpstream(ObjectNode chatRequest, TranslationContext context);

  /**
   * Translates a successful, non-streaming upstream body into an OpenAI {@code chat.completion}.
   * The body is the caller's to give away: a translator may reuse and change its nodes.
   */
  ObjectNode toChatCompletion(JsonNode upstreamBody, TranslationContext context);

  /** A translator for one upstream stream; it keeps the stream's state. */
  StreamTranslator newStream(TranslationContext context);

  /**
   * Maps an upstream error response (status, body, response headers with lower-case names) to an
   * error the sidecar can act on and report in the OpenAI error envelope.
   */
  UpstreamError toError(int status, String body, Map<String, String> headers);

  /**
   * The provider's authentication headers for an API key (bearer token, {@code x-api-key} with
   * {@code anthropic-version}, {@code x-goog-api-key}, Azure's {@code api-key}). Only the HTTP
   * layer calls this, right before sending; the headers are never logged.
   */
  Map<String, String> authHeaders(String apiKey);

  /** The provider's embeddings, or null when it has none (Anthropic). */
  default EmbeddingTranslator embeddings() {
    return null;
  }
}
