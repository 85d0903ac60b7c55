package io.aihandler.router.tracing;

/**
 * The server span of one API request. Confined to the request's thread; every method is cheap and
 * none throws. {@link #NONE} records nothing.
 */
public interface RequestSpan {

  /** Records nothing, propagates nothing. */
  RequestSpan NONE =
      new RequestSpan() {
        @Override
        public String traceId() {
          return null;
        }

        @Override
        public String spanId() {
          return null;
        }

        @Override
        public boolean capturesContent() {
          return false;
        }

        @Override
        public void requestId(String requestId) {}

        @Override
        public void resolved(Call call) {}

        @Override
        public AttemptSpan attempt(Attempt attempt) {
          return AttemptSpan.NONE;
        }

        @Override
        public void end(Result result) {}
      };

  /** The trace's id (32 hex digits), or null when not traced. */
  String traceId();

  /** This span's id (16 hex digits), or null when not traced. */
  String spanId();

  /** Whether prompt and completion text is recorded, so worth building. */
  boolean capturesContent();

  /** The request's {@code x-request-id}, recorded as {@code aihandler.request_id}. */
  void requestId(String requestId);

  /**
   * What the request asks, once it is resolved to a route.
   *
   * @param operation {@code chat} or {@code embeddings}
   * @param requestModel the model (or task) the client named
   * @param route the route serving it
   * @param task the task's name, or {@code none}
   * @param dataClass the request's data class label
   * @param maxTokens the request's {@code max_tokens} / {@code max_completion_tokens}, or null
   * @param temperature the request's {@code temperature}, or null
   * @param inputMessages the request's messages as the conventions' JSON ({@code
   *     gen_ai.input.messages}), or null; recorded only when content capture is on
   */
  record Call(
      String operation,
      String requestModel,
      String route,
      String task,
      String dataClass,
      Long maxTokens,
      Double temperature,
      String inputMessages) {}

  /** Records the resolved request and names the span {@code "{operation} {requestModel}"}. */
  void resolved(Call call);

  /**
   * One attempt at a backend.
   *
   * @param number 1 for the first attempt of the request, counting every retry, repair and fallback
   * @param backend the backend's name
   * @param providerName the conventions' {@code gen_ai.provider.name}
   * @param model the model the backend serves
   * @param serverAddress the backend's host
   * @param serverPort the backend's port
   * @param repair whether this attempt asks again after invalid output
   */
  record Attempt(
      int number,
      String backend,
      String providerName,
      String model,
      String serverAddress,
      int serverPort,
      boolean repair) {}

  /** Starts an attempt's client span, a child of this one. */
  AttemptSpan attempt(Attempt attempt);

  /**
   * How the request ended.
   *
   * @param status the HTTP status sent (200 for a stream that failed after it began)
   * @param outcome the outcome label, as metrics have it
   * @param errorType the error code sent to the client, or null on success
   * @param backend the last backend tried, or {@code none}
   * @param responseModel the model that answered, or null
   * @param attempts attempts made
   * @param inputTokens tokens of the prompt, all attempts together
   * @param outputTokens tokens of the answers, all attempts together
   * @param validation {@code valid}, {@code invalid} or {@code none} (no schema)
   * @param repairAttempts re-asks after invalid output
   * @param fallbackReason why the request last moved to another backend, or null
   */
  record Result(
      int status,
      String outcome,
      String errorType,
      String backend,
      String responseModel,
      int attempts,
      long inputTokens,
      long outputTokens,
      String validation,
      int repairAttempts,
      String fallbackReason) {}

  /** Records the result and ends the span. */
  void end(Result result);
}
