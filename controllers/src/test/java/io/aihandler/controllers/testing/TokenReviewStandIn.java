package io.aihandler.controllers.testing;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfoBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers {@code TokenReview}s ({@code authentication.k8s.io/v1}) as an API server does, which the
 * CRUD mock cannot (it would store and echo the review): a token the test {@linkplain #issue
 * issued} authenticates as its pod's ServiceAccount when the review asks for one of the audiences
 * it was minted for, and the answer's {@code audiences} are those in common; any other token, or a
 * review for another audience, is {@code authenticated: false}. Everything else goes to the
 * delegate.
 */
public final class TokenReviewStandIn extends Dispatcher {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** A minted token: whose it is and for which audiences. */
  private record Minted(
      String namespace, String serviceAccount, String pod, List<String> audiences) {}

  private final Dispatcher delegate;
  private final Map<String, Minted> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger reviews = new AtomicInteger();

  TokenReviewStandIn(Dispatcher delegate) {
    this.delegate = delegate;
  }

  /** Mints {@code token} for a pod's ServiceAccount, valid for {@code audiences}. */
  public void issue(
      String token, String namespace, String serviceAccount, String pod, String... audiences) {
    tokens.put(token, new Minted(namespace, serviceAccount, pod, List.of(audiences)));
  }

  /** How many TokenReviews were answered. */
  public int reviews() {
    return reviews.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (!"POST".equals(request.getMethod())
        || !request.getPath().startsWith("/apis/authentication.k8s.io/v1/tokenreviews")) {
      return delegate.dispatch(request);
    }
    reviews.incrementAndGet();
    TokenReview review =
        JSON.unmarshal(
            new String(request.getBody().getBytes(), StandardCharsets.UTF_8), TokenReview.class);
    Minted minted = review.getSpec() == null ? null : tokens.get(review.getSpec().getToken());
    List<String> asked =
        review.getSpec() == null || review.getSpec().getAudiences() == null
            ? List.of()
            : review.getSpec().getAudiences();
    List<String> common =
        minted == null ? List.of() : asked.stream().filter(minted.audiences()::contains).toList();
    if (minted == null || common.isEmpty()) {
      review.setStatus(
          new TokenReviewStatusBuilder()
              .withAuthenticated(false)
              .withError(minted == null ? "invalid bearer token" : "token audiences are invalid")
              .build());
    } else {
      review.setStatus(
          new TokenReviewStatusBuilder()
              .withAuthenticated(true)
              .withAudiences(common)
              .withUser(
                  new UserInfoBuilder()
                      .withUsername(
                          "system:serviceaccount:"
                              + minted.namespace()
                              + ":"
                              + minted.serviceAccount())
                      .withGroups(
                          "system:serviceaccounts",
                          "system:serviceaccounts:" + minted.namespace(),
                          "system:authenticated")
                      .withExtra(
                          Map.of("authentication.kubernetes.io/pod-name", List.of(minted.pod())))
                      .build())
              .build());
    }
    // The API server never stores a review, and the answer does not repeat the token.
    review.getSpec().setToken(null);
    return new MockResponse()
        .setResponseCode(201)
        .setHeader("Content-Type", "application/json")
        .setBody(JSON.asJson(review));
  }
}
