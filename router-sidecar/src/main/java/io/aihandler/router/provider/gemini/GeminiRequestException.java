package io.aihandler.router.provider.gemini;

import io.aihandler.router.provider.UpstreamError;

/**
 * A chat request that cannot be expressed in Gemini's generateContent API (for example {@code n >
 * 1}, {@code logprobs}, or a tool message answering a call no earlier message made). Thrown by
 * {@link GeminiTranslator#toUpstream} before anything is sent; retrying or falling back to another
 * Gemini backend cannot help, so the error is always of kind {@link
 * UpstreamError.Kind#CLIENT_ERROR} with status 400.
 */
public final class GeminiRequestException extends RuntimeException {

  private final transient UpstreamError error;

  GeminiRequestException(String param, String message) {
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
