package io.aihandler.router.tracing;

import java.util.function.Function;

/** Starts the span of each API request; {@link #OFF} starts none. */
public interface RequestTracing extends AutoCloseable {

  /** No traces: every span is {@link RequestSpan#NONE}. */
  RequestTracing OFF =
      new RequestTracing() {
        @Override
        public RequestSpan start(String endpoint, Function<String, String> header) {
          return RequestSpan.NONE;
        }

        @Override
        public void close() {}
      };

  /**
   * Starts a request's server span, as a child of the app's {@code traceparent} when it has a
   * well-formed one (a malformed one is ignored: the span starts a new trace).
   *
   * @param endpoint {@code chat}, {@code responses}, {@code embeddings} or {@code task}
   * @param header the request's header of a (lower-case) name, or null
   */
  RequestSpan start(String endpoint, Function<String, String> header);

  /** Exports what is queued (within the export timeout) and stops. */
  @Override
  void close();
}
