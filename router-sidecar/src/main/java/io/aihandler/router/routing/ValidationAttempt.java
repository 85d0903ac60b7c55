package io.aihandler.router.routing;

/**
 * The {@code attempt} label of {@code aihandler_validations_total}: which answer of a target a
 * schema check judged.
 */
final class ValidationAttempt {

  /**
   * A target's answer to the request as the app sent it: the share of valid ones is first-try
   * validity.
   */
  static final String FIRST = "first";

  /** A target's answer to a repair re-ask quoting its previous answer's errors. */
  static final String REPAIR = "repair";

  private ValidationAttempt() {}
}
