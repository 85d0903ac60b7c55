package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.CrdAdmission;
import io.aihandler.api.testing.Manifests;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.sidecar.tracing} and {@code spec.sidecar.logFormat} as the API server judges them.
 */
class WorkflowObservabilityValidationTest {

  private static final CrdAdmission ADMISSION = Manifests.admissionFor("workflows");

  private static List<String> admit(String sidecar) {
    return ADMISSION.admit(
        Manifests.parse(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: Workflow
            metadata:
              name: test
            spec:
              policyRef: {name: p}
              tasks: [{name: t, route: r}]
              sidecar:
            """
                + sidecar.indent(4)));
  }

  @Test
  void acceptsEveryFieldWithinItsBounds() {
    assertThat(
            admit(
                """
                logFormat: json
                tracing:
                  otlpEndpoint: "http://otel-collector.observability:4318/v1/traces"
                  samplingRatio: 0.25
                  captureContent: true
                  serviceName: support-bot
                  exportTimeout: 5s
                  maxQueueSize: 4096
                """))
        .isEmpty();
    assertThat(admit("tracing: {otlpEndpoint: \"https://collector:4318/v1/traces\"}")).isEmpty();
  }

  @Test
  void logFormatDefaultsToText() {
    var stored =
        ADMISSION.defaulted(
            Manifests.parse(
                """
                apiVersion: aihandler.io/v1alpha1
                kind: Workflow
                spec:
                  policyRef: {name: p}
                  tasks: [{name: t, route: r}]
                  sidecar: {}
                """));
    assertThat(stored.at("/spec/sidecar/logFormat").asText()).isEqualTo("text");
    assertThat(stored.at("/spec/sidecar/tracing").isMissingNode()).isTrue();
  }

  @Test
  void refusesWhatTheSidecarWouldRefuse() {
    assertThat(admit("logFormat: xml")).singleElement().asString().contains("logFormat");
    assertThat(admit("tracing: {samplingRatio: 0.5}"))
        .singleElement()
        .asString()
        .contains("otlpEndpoint");
    assertThat(admit("tracing: {otlpEndpoint: \"grpc://collector:4317\"}"))
        .singleElement()
        .asString()
        .contains("pattern");
    assertThat(admit("tracing: {otlpEndpoint: \"http://user:pw@collector:4318/v1/traces\"}"))
        .singleElement()
        .asString()
        .contains("must not hold user info");
    assertThat(admit("tracing: {otlpEndpoint: \"http://c:4318\", samplingRatio: 1.5}"))
        .singleElement()
        .asString()
        .contains("samplingRatio");
    assertThat(admit("tracing: {otlpEndpoint: \"http://c:4318\", exportTimeout: 2m}"))
        .singleElement()
        .asString()
        .contains("exportTimeout must be at most 60s");
    assertThat(admit("tracing: {otlpEndpoint: \"http://c:4318\", exportTimeout: soon}"))
        .isNotEmpty();
    assertThat(admit("tracing: {otlpEndpoint: \"http://c:4318\", maxQueueSize: 0}"))
        .singleElement()
        .asString()
        .contains("maxQueueSize");
  }
}
