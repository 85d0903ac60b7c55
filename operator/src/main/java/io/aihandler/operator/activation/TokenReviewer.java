package io.aihandler.operator.activation;

import java.util.Optional;

/** Checks a bearer token; in the operator, with a TokenReview sent to the API server. */
@FunctionalInterface
public interface TokenReviewer {

  /**
   * The pod ServiceAccount the token belongs to, or empty when the token is invalid, expired, not
   * minted for {@code audience} or not a ServiceAccount's.
   *
   * @throws RuntimeException when the API server cannot be asked (answered 503, never as a refusal)
   */
  Optional<Caller> review(String token, String audience);
}
