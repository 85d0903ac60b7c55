package io.aihandler.router.provider.anthropic;

import io.aihandler.router.provider.UpstreamError;

/**
 * A chat request that cannot be expressed in Anthropic's Messages API (for example {@code n > 1},
 * {@code logprobs}, or a tool call whose arguments are not a JSON object). Thrown by {@link
 * AnthropicTranslator#toUpstream} before anything is sent; retrying or falling back to another
 * Anthropic backend cannot help, so the error is always of kind {@link
 * UpstreamError.Kind#CLIENT_ERROR} with status 400.
 */
public final class AnthropicRequestException extends RuntimeException {

  private final transient UpstreamError error;

  AnthropicRequestException(String param, String message) {
    super(message);
    this.error =
        new UpstreamError(
            400,
            UpstreamError.Kind.CLIENT_ERROR,
            "invalid_request_error",
            param == null ? "unsupported_request" : "unsupported_parameter",
            message,
            null);
  }

  /** The error to report in the OpenAI error envelope. */
  public UpstreamError error() {
    return error;
  }
}
