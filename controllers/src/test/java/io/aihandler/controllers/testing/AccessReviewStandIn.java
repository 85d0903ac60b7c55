package io.aihandler.controllers.testing;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;

/**
 * Answers {@code SelfSubjectRulesReview}s as an API server would for a subject allowed everything,
 * which the CRUD mock cannot (it stores and echoes the review). JOSDK asks one before it starts
 * leader election, to fail early without Lease permissions. Everything else goes to the delegate.
 */
final class AccessReviewStandIn extends Dispatcher {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final Dispatcher delegate;

  AccessReviewStandIn(Dispatcher delegate) {
    this.delegate = delegate;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    if ("POST".equals(request.getMethod()) && path.endsWith("/selfsubjectrulesreviews")) {
      SelfSubjectRulesReview review =
          JSON.unmarshal(
              new String(request.getBody().getBytes(), StandardCharsets.UTF_8),
              SelfSubjectRulesReview.class);
      review.setStatus(
          new SubjectRulesReviewStatusBuilder()
              .withIncomplete(false)
              .addToResourceRules(
                  new ResourceRuleBuilder()
                      .withApiGroups("*")
                      .withResources("*")
                      .withVerbs("*")
                      .build())
              .build());
      return new MockResponse()
          .setResponseCode(201)
          .setHeader("Content-Type", "application/json")
          .setBody(JSON.asJson(review));
    }
    return delegate.dispatch(request);
  }
}
