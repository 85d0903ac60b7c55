package io.aihandler.router;

/**
 * A request that ends in an error, reported to the client in the OpenAI error envelope: <code>
 * {"error": {"message", "type", "param", "code"}}</code>. Messages never hold keys or prompt text.
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final long retryAfterSeconds;

  public ApiException(int status, String type, String code, String param, String message) {
    this(status, type, code, param, message, 0);
  }

  private ApiException(
      int status, String type, String code, String param, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public ApiException(int status, String type, String code, String message) {
    this(status, type, code, null, message);
  }

  /** 400 {@code invalid_request_error}. */
  public static ApiException badRequest(String code, String param, String message) {
    return new ApiException(400, "invalid_request_error", code, param, message);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }

  /** The same error, answered with {@code Retry-After: seconds} (at least 1). */
  public ApiException withRetryAfter(long seconds) {
    return new ApiException(status, type, code, param, getMessage(), Math.max(1, seconds));
  }

  /** The {@code Retry-After} this error was given; 0 when none, and a 429 or 503 then gets 1. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
