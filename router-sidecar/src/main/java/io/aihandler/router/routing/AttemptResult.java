package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.config.FallbackTrigger;
import io.aihandler.router.provider.UpstreamError;
import java.util.List;

/** What one attempt at one backend came to. */
sealed interface AttemptResult {

  /** An answer that passed validation (or needed none). */
  record Valid(ObjectNode completion, JsonNode output) implements AttemptResult {}

  /** An answer whose output does not match the schema. */
  record Invalid(ObjectNode completion, String content, List<String> errors)
      implements AttemptResult {}

  /**
   * A failed attempt.
   *
   * @param trigger the fallback it may cause; null for a client error, which no backend can help
   * @param afterFirstByte whether part of the answer had reached the client already
   */
  record Failed(UpstreamError error, FallbackTrigger trigger, boolean afterFirstByte)
      implements AttemptResult {}

  /**
   * Vectors that passed their checks: one per input, in input order, each of the expected length.
   *
   * @param promptTokens the tokens metered for them (the provider's count, or the estimate)
   */
  record Embedded(float[][] vectors, long promptTokens) implements AttemptResult {}

  /** A stream delivered whole to the client. */
  record Streamed() implements AttemptResult {}

  /**
   * The client went away, or stopped reading past a limit ({@link Outcome#TIMEOUT} or {@link
   * Outcome#CLIENT_CLOSED}): nothing is left to serve.
   */
  record ClientGone(Outcome outcome) implements AttemptResult {}
}
