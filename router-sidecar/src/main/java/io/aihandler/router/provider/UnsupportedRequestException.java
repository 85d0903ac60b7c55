package io.aihandler.router.provider;

/**
 * A chat request that cannot be expressed in a provider's API (for example {@code n > 1}, {@code
 * logprobs}, or a tool call whose arguments are not a JSON object). Thrown by a translator's {@code
 * toUpstream} before anything is sent; retrying or falling back to another backend of the same
 * provider cannot help, so the error is always of kind {@link UpstreamError.Kind#CLIENT_ERROR} with
 * status 400.
 */
public final class UnsupportedRequestException extends RuntimeException {

  private final transient UpstreamError error;

  /**
   * @param param the request field at fault, or null when the request as a whole is
   */
  public UnsupportedRequestException(String param, String message) {
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
