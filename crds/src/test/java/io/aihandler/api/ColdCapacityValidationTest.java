package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.CrdAdmission;
import io.aihandler.api.testing.Manifests;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scale to zero ({@code scaling.minReplicas: 0}, {@code scaleToZeroAfter}) and the routes' cold
 * knobs ({@code spillOver}, {@code coldStartTimeout}) as the API server judges them.
 */
class ColdCapacityValidationTest {

  private static final CrdAdmission BACKENDS = Manifests.admissionFor("modelbackends");
  private static final CrdAdmission POLICIES = Manifests.admissionFor("routingpolicies");

  private static List<String> backend(String scaling) {
    return BACKENDS.admit(
        Manifests.parse(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: test}
            spec:
              vllm:
                model: hf://meta-llama/Llama-3.1-8B-Instruct
                scaling:
            """
                + scaling.indent(6)));
  }

  private static List<String> route(String fields) {
    return POLICIES.admit(
        Manifests.parse(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: RoutingPolicy
            metadata: {name: test}
            spec:
              routes:
              - name: chat
                targets: [{backend: {name: llama}}]
            """
                + fields.indent(4)));
  }

  @Test
  void minReplicasZeroIsAllowedWithOrWithoutAnIdleWindow() {
    assertThat(backend("{minReplicas: 0, maxReplicas: 2, target: 5}")).isEmpty();
    assertThat(backend("{minReplicas: 0, maxReplicas: 2, target: 5, scaleToZeroAfter: 2h}"))
        .isEmpty();
  }

  @Test
  void scaleToZeroAfterIsRefusedWhenMinReplicasIsAboveZero() {
    assertThat(backend("{minReplicas: 1, maxReplicas: 2, target: 5, scaleToZeroAfter: 30m}"))
        .anySatisfy(
            e -> assertThat(e).contains("scaleToZeroAfter applies only with minReplicas: 0"));
    // Left out, minReplicas defaults to 1: the window alone is refused too.
    assertThat(backend("{maxReplicas: 2, target: 5, scaleToZeroAfter: 30m}"))
        .anySatisfy(
            e -> assertThat(e).contains("scaleToZeroAfter applies only with minReplicas: 0"));
  }

  @Test
  void scaleToZeroAfterIsADurationBetweenAMinuteAndAWeek() {
    assertThat(backend("{minReplicas: 0, maxReplicas: 2, target: 5, scaleToZeroAfter: 10s}"))
        .anySatisfy(e -> assertThat(e).contains("between 1m and 168h"));
    assertThat(backend("{minReplicas: 0, maxReplicas: 2, target: 5, scaleToZeroAfter: 400h}"))
        .anySatisfy(e -> assertThat(e).contains("between 1m and 168h"));
    assertThat(backend("{minReplicas: 0, maxReplicas: 2, target: 5, scaleToZeroAfter: soon}"))
        .isNotEmpty();
    assertThat(backend("{minReplicas: -1, maxReplicas: 2, target: 5}")).isNotEmpty();
  }

  @Test
  void routesTakeSpillOverAndAColdStartTimeoutUpToAnHour() {
    assertThat(route("spillOver: false\ncoldStartTimeout: 15m")).isEmpty();
    assertThat(route("coldStartTimeout: 2h"))
        .anySatisfy(e -> assertThat(e).contains("coldStartTimeout must be above 0 and at most 1h"));
    assertThat(route("coldStartTimeout: 0s"))
        .anySatisfy(e -> assertThat(e).contains("coldStartTimeout must be above 0 and at most 1h"));
    assertThat(route("spillOver: sometimes")).isNotEmpty();
  }

  @Test
  void spillOverDefaultsToOn() {
    var stored =
        POLICIES.defaulted(
            Manifests.parse(
                """
                apiVersion: aihandler.io/v1alpha1
                kind: RoutingPolicy
                spec:
                  routes:
                  - name: r
                    targets: [{backend: {name: b}}]
                """));
    assertThat(stored.at("/spec/routes/0/spillOver").asBoolean()).isTrue();
    assertThat(stored.at("/spec/routes/0/coldStartTimeout").isMissingNode()).isTrue();
  }
}
