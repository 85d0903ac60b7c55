package io.aihandler.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas on one API server, as the chart runs them: both serve the webhooks and
 * report ready, only the Lease holder reconciles, and the other takes over when it goes.
 */
class LeaderElectionTest {

  private static final LeaderElectionTiming FAST =
      new LeaderElectionTiming(
          Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250), false);

  private MockKubernetesApi api;
  private AiHandlerOperator first;
  private AiHandlerOperator second;

  @BeforeEach
  void startTwoReplicas() {
    api = MockKubernetesApi.startWithCrds();
    OperatorSettings base =
        OperatorSettings.fromEnvironment(Map.of("OPERATOR_NAMESPACE", "aihandler-system"));
    first =
        AiHandlerOperator.start(
            api.client(),
            base.asReplica("operator-a", 0, 0, "aihandler-operator", ProviderEndpoints.PUBLIC),
            Clock.systemUTC(),
            FAST);
    Eventually.await("a leader", () -> holder() != null);
    second =
        AiHandlerOperator.start(
            api.client(),
            base.asReplica("operator-b", 0, 0, "aihandler-operator", ProviderEndpoints.PUBLIC),
            Clock.systemUTC(),
            FAST);
  }

  @AfterEach
  void stop() {
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
    api.close();
  }

  private String holder() {
    Lease lease =
        api.client().leases().inNamespace("aihandler-system").withName("aihandler-operator").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private void policy(String name) {
    api.client()
        .resource(
            api.client()
                .getKubernetesSerialization()
                .unmarshal(
                    """
        apiVersion: aihandler.io/v1alpha1
        kind: RoutingPolicy
        metadata: {name: %s, namespace: team}
        spec:
          routes: [{name: r, targets: [{backend: {name: missing}}]}]
        """
                        .formatted(name),
                    HasMetadata.class))
        .create();
  }

  private boolean reconciled(String name) {
    RoutingPolicy policy =
        api.client().resources(RoutingPolicy.class).inNamespace("team").withName(name).get();
    return policy != null
        && policy.getStatus() != null
        && !policy.getStatus().getConditions().isEmpty();
  }

  /** Reconciliations a replica started, from its own metrics. */
  private static double reconciliationsOf(AiHandlerOperator replica) {
    return replica
        .scrapeMetrics()
        .lines()
        .filter(line -> line.startsWith("operator_sdk_reconciliations_started_total{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static int status(int port, String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void oneLeaderReconcilesBothServeAndTheOtherTakesOver() {
    assertThat(holder()).isEqualTo("operator-a");
    policy("before-failover");
    Eventually.await("the leader reconciles", () -> reconciled("before-failover"));
    assertThat(status(second.metricsPort(), "/healthz")).isEqualTo(200);
    assertThat(second.webhookPort()).isPositive();
    assertThat(reconciliationsOf(second)).as("the follower reconciles nothing").isZero();
    assertThat(reconciliationsOf(first)).isPositive();

    first.close();
    first = null;
    Eventually.await(
        "operator-b takes the Lease", Duration.ofSeconds(15), () -> "operator-b".equals(holder()));
    policy("after-failover");
    Eventually.await(
        "the new leader reconciles", Duration.ofSeconds(15), () -> reconciled("after-failover"));
  }
}
