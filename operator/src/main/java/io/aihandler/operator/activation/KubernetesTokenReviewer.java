package io.aihandler.operator.activation;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;

/**
 * A TokenReview ({@code authentication.k8s.io/v1}) per call, for the one audience activations use:
 * the API server checks signature, expiry, audience and that the bound pod still exists. The
 * operator's ServiceAccount needs {@code create} on {@code tokenreviews}. The token goes to the API
 * server only; it is never logged, and the review is not kept.
 */
public final class KubernetesTokenReviewer implements TokenReviewer {

  /** The key of the pod name in a bound token's extra user info. */
  static final String POD_NAME_EXTRA = "authentication.kubernetes.io/pod-name";

  private final KubernetesClient client;

  public KubernetesTokenReviewer(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Optional<Caller> review(String token, String audience) {
    TokenReview review =
        new TokenReviewBuilder()
            .withNewSpec()
            .withToken(token)
            .withAudiences(audience)
            .endSpec()
            .build();
    TokenReview answer = client.authentication().v1().tokenReviews().create(review);
    TokenReviewStatus status = answer == null ? null : answer.getStatus();
    if (status == null
        || !Boolean.TRUE.equals(status.getAuthenticated())
        || status.getUser() == null
        // An API server that ignores audiences answers without them: not good enough.
        || status.getAudiences() == null
        || !status.getAudiences().contains(audience)) {
      return Optional.empty();
    }
    List<String> pods =
        status.getUser().getExtra() == null
            ? null
            : status.getUser().getExtra().get(POD_NAME_EXTRA);
    return Optional.ofNullable(
        Caller.ofUsername(
            status.getUser().getUsername(), pods == null || pods.isEmpty() ? null : pods.get(0)));
  }
}
