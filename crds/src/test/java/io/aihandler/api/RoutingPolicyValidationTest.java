package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.CrdAdmission;
import io.aihandler.api.testing.Manifests;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RoutingPolicy specs as the API server would judge them at {@code kubectl apply}. */
class RoutingPolicyValidationTest {

  private static final CrdAdmission ADMISSION = Manifests.admissionFor("routingpolicies");

  private static List<String> admit(String spec) {
    return ADMISSION.admit(
        Manifests.parse(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: RoutingPolicy
            metadata:
              name: test
            spec:
            """
                + spec.indent(2)));
  }

  private static final String DATA_CLASSES =
      """
      dataClasses:
      - name: restricted
        allowedLocalities: [in-cluster]
        detectors:
        - type: email
        - type: regex
          pattern: "TICKET-[0-9]{6}"
      - name: public
        allowedLocalities: [in-cluster, external]
      defaultDataClass: public
      unscannableDataClass: restricted
      """;

  @Test
  void acceptsRoutesWithStrategiesTimeoutsAndDataClasses() {
    assertThat(
            admit(
                """
                routes:
                - name: reasoning
                  strategy: failover
                  targets:
                  - backend: {name: claude}
                  - backend: {name: gpt-4o, namespace: llm-platform}
                    priority: 1
                  fallbackOn: [serverError, rateLimited, timeout, invalidOutput]
                  perTryTimeout: 30s
                  timeout: 2m
                  backoff: {initial: 200ms, max: 5s}
                  circuitBreaker: {failureRateThreshold: 50, openDuration: 30s}
                - name: bulk
                  strategy: weighted
                  targets:
                  - backend: {name: llama}
                    weight: 9
                  - backend: {name: gemini-flash}
                    weight: 1
                """
                    + DATA_CLASSES))
        .isEmpty();
  }

  @Test
  void sameBackendNameInTwoNamespacesIsTwoBackends() {
    assertThat(
            admit(
                """
                routes:
                - name: r
                  targets:
                  - backend: {name: llama, namespace: team-a}
                  - backend: {name: llama, namespace: team-b}
                """))
        .isEmpty();
    assertThat(
            admit(
                """
                routes:
                - name: r
                  targets:
                  - backend: {name: llama, namespace: team-a}
                  - backend: {name: llama, namespace: team-a}
                """))
        .anySatisfy(error -> assertThat(error).contains("lists the same backend more than once"));
  }

  @Test
  void fillsRouteDefaults() {
    var stored =
        ADMISSION.defaulted(
            Manifests.parse(
                """
                apiVersion: aihandler.io/v1alpha1
                kind: RoutingPolicy
                spec:
                  routes:
                  - name: r
                    targets:
                    - backend: {name: b}
                """));
    assertThat(stored.at("/spec/routes/0/strategy").asText()).isEqualTo("failover");
    assertThat(stored.at("/spec/routes/0/maxAttempts").asInt()).isEqualTo(3);
    assertThat(stored.at("/spec/routes/0/targets/0/weight").asInt()).isEqualTo(1);
    assertThat(stored.at("/spec/routes/0/targets/0/priority").asInt()).isEqualTo(0);
  }

  static Stream<Arguments> refusedSpecs() {
    return Stream.of(
        Arguments.of(
            "duplicate route names",
            """
            routes:
            - {name: r, targets: [{backend: {name: a}}]}
            - {name: r, targets: [{backend: {name: b}}]}
            """,
            "route names must be unique"),
        Arguments.of(
            "route without targets",
            "routes: [{name: empty, targets: []}]",
            "targets: must have at least 1 items"),
        Arguments.of("route with the targets field missing", "routes: [{name: empty}]", "targets"),
        Arguments.of("no routes", "routes: []", "at least 1 items"),
        Arguments.of(
            "negative weight",
            "routes: [{name: r, strategy: weighted, targets: [{backend: {name: a}, weight: -1}, {backend: {name: b}}]}]",
            "minimum"),
        Arguments.of(
            "weighted with all weights zero",
            "routes: [{name: r, strategy: weighted, targets: [{backend: {name: a}, weight: 0}]}]",
            "route r uses strategy weighted, so at least one target needs weight > 0"),
        Arguments.of(
            "same backend twice in a route",
            "routes: [{name: r, targets: [{backend: {name: a}}, {backend: {name: a}, priority: 1}]}]",
            "route r lists the same backend more than once"),
        Arguments.of(
            "perTryTimeout longer than timeout",
            "routes: [{name: r, perTryTimeout: 2m, timeout: 30s, targets: [{backend: {name: a}}]}]",
            "route r: perTryTimeout must not exceed timeout"),
        Arguments.of(
            "a circuit window the sidecar cannot hold",
            "routes: [{name: r, circuitBreaker: {windowSize: 100000}, targets: [{backend: {name: a}}]}]",
            "maximum"),
        Arguments.of(
            "minimumCalls above the window",
            "routes: [{name: r, circuitBreaker: {windowSize: 20, minimumCalls: 50}, targets: [{backend: {name: a}}]}]",
            "circuitBreaker.minimumCalls must not exceed windowSize"),
        Arguments.of(
            "a window smaller than the default minimumCalls",
            "routes: [{name: r, circuitBreaker: {windowSize: 5}, targets: [{backend: {name: a}}]}]",
            "circuitBreaker.minimumCalls must not exceed windowSize"),
        Arguments.of(
            "an open circuit for a day",
            "routes: [{name: r, circuitBreaker: {openDuration: 24h}, targets: [{backend: {name: a}}]}]",
            "circuitBreaker.openDuration must be at most 1h"),
        Arguments.of(
            "a timeout of two hours",
            "routes: [{name: r, timeout: 2h, targets: [{backend: {name: a}}]}]",
            "route r: timeout and perTryTimeout must be at most 1h"),
        Arguments.of(
            "a backoff of two hours",
            "routes: [{name: r, backoff: {max: 2h}, targets: [{backend: {name: a}}]}]",
            "backoff.initial and backoff.max must be at most 1h"),
        Arguments.of(
            "eleven attempts",
            "routes: [{name: r, maxAttempts: 11, targets: [{backend: {name: a}}]}]",
            "maximum"),
        Arguments.of(
            "unknown strategy",
            "routes: [{name: r, strategy: random, targets: [{backend: {name: a}}]}]",
            "enum"),
        Arguments.of(
            "unknown fallback trigger",
            "routes: [{name: r, fallbackOn: [always], targets: [{backend: {name: a}}]}]",
            "enum"),
        Arguments.of(
            "route name that is not a DNS label",
            "routes: [{name: Bad_Name, targets: [{backend: {name: a}}]}]",
            "pattern"),
        Arguments.of(
            "duplicate data classes",
            """
            routes: [{name: r, targets: [{backend: {name: a}}]}]
            dataClasses:
            - {name: restricted, allowedLocalities: [in-cluster]}
            - {name: restricted, allowedLocalities: [external]}
            """,
            "data class names must be unique"),
        Arguments.of(
            "defaultDataClass not declared",
            """
            routes: [{name: r, targets: [{backend: {name: a}}]}]
            dataClasses: [{name: internal, allowedLocalities: [in-cluster]}]
            defaultDataClass: public
            """,
            "defaultDataClass must name one of dataClasses"),
        Arguments.of(
            "unscannableDataClass not declared",
            """
            routes: [{name: r, targets: [{backend: {name: a}}]}]
            dataClasses: [{name: internal, allowedLocalities: [in-cluster]}]
            unscannableDataClass: restricted
            """,
            "unscannableDataClass must name one of dataClasses"),
        Arguments.of(
            "data class that may go nowhere",
            """
            routes: [{name: r, targets: [{backend: {name: a}}]}]
            dataClasses: [{name: sealed, allowedLocalities: []}]
            """,
            "at least 1 items"),
        Arguments.of(
            "regex detector without pattern",
            """
            routes: [{name: r, targets: [{backend: {name: a}}]}]
            dataClasses: [{name: restricted, allowedLocalities: [in-cluster], detectors: [{type: regex}]}]
            """,
            "pattern is required for detector type regex"),
        Arguments.of(
            "pattern on a built-in detector",
            """
            routes: [{name: r, targets: [{backend: {name: a}}]}]
            dataClasses: [{name: restricted, allowedLocalities: [in-cluster], detectors: [{type: email, pattern: x}]}]
            """,
            "not allowed for the built-in types"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSpecs")
  void refusesBadSpecsWithAMessageThatSaysWhy(String why, String spec, String expected) {
    assertThat(admit(spec)).as(why).anySatisfy(error -> assertThat(error).contains(expected));
  }
}
