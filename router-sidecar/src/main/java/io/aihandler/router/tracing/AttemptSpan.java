package io.aihandler.router.tracing;

import java.util.List;
import java.util.Map;

/** The client span of one upstream attempt. {@link #NONE} records and propagates nothing. */
public interface AttemptSpan {

  AttemptSpan NONE =
      new AttemptSpan() {
        @Override
        public Map<String, String> propagation() {
          return Map.of();
        }

        @Override
        public boolean capturesContent() {
          return false;
        }

        @Override
        public void end(Result result) {}
      };

  /**
   * The W3C {@code traceparent} (and {@code tracestate}) naming this attempt's span, for the
   * upstream request; empty when not traced.
   */
  Map<String, String> propagation();

  /**
   * What the attempt came to.
   *
   * @param outcome {@code ok}, {@code invalid_output}, or the failure's outcome label
   * @param errorType the failure's outcome label, or null when the backend answered
   * @param responseModel the model the backend says answered, or null
   * @param finishReasons each choice's finish reason, or empty
   * @param inputTokens the attempt's prompt tokens (0 when unknown)
   * @param outputTokens the attempt's answer tokens (0 when unknown)
   * @param validation {@code valid}, {@code invalid} or {@code none}
   * @param fallbackReason the trigger that moved the request to another backend after this attempt,
   *     or null
   * @param outputMessages the answer as the conventions' JSON ({@code gen_ai.output.messages}), or
   *     null; recorded only when content capture is on
   */
  record Result(
      String outcome,
      String errorType,
      String responseModel,
      List<String> finishReasons,
      long inputTokens,
      long outputTokens,
      String validation,
      String fallbackReason,
      String outputMessages) {}

  /** Whether {@link Result#outputMessages()} is recorded, so worth building. */
  boolean capturesContent();

  /** Records the result and ends the span. */
  void end(Result result);
}
