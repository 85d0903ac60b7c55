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

  public ApiException(int status, String type, String code, String param, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
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
}
