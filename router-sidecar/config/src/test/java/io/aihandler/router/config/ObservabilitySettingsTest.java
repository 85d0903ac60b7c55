package io.aihandler.router.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sidecar.tracing} and {@code sidecar.logFormat}: defaults and the values refused. */
class ObservabilitySettingsTest {

  private static final String DOC =
      """
      sidecar:
        %s
      backends:
        - name: local
          provider: vllm
          baseUrl: "http://llama:8000/v1"
          model: llama
      routes:
        - name: main
          targets: [{backend: local}]
      """;

  private static RouterConfig parse(String sidecar) throws InvalidRouterConfigException {
    return RouterConfigLoader.parse(
        DOC.formatted(sidecar.replace("\n", "\n  ")), "observability.yaml");
  }

  private static List<String> problems(String sidecar) {
    try {
      parse(sidecar);
      return List.of();
    } catch (InvalidRouterConfigException e) {
      return e.problems();
    }
  }

  @Test
  void tracingIsOffAndLogsAreTextByDefault() throws Exception {
    SidecarSettings s = parse("logLevel: info").sidecar();
    assertThat(s.tracing().enabled()).isFalse();
    assertThat(s.tracing().samplingRatio()).isEqualTo(1.0);
    assertThat(s.tracing().captureContent()).isFalse();
    assertThat(s.tracing().serviceName()).isEqualTo("aihandler-router");
    assertThat(s.tracing().exportTimeoutDuration()).hasSeconds(10);
    assertThat(s.tracing().maxQueueSize()).isEqualTo(2048);
    assertThat(s.logFormat()).isEqualTo("text");
  }

  @Test
  void readsEveryTracingField() throws Exception {
    SidecarSettings s =
        parse(
                """
                logFormat: json
                tracing:
                  otlpEndpoint: "https://collector.observability:4318/v1/traces"
                  samplingRatio: 0.25
                  captureContent: true
                  serviceName: support-bot
                  exportTimeout: 3s
                  maxQueueSize: 100""")
            .sidecar();
    assertThat(s.logFormat()).isEqualTo("json");
    Tracing t = s.tracing();
    assertThat(t.enabled()).isTrue();
    assertThat(t.otlpEndpoint()).isEqualTo("https://collector.observability:4318/v1/traces");
    assertThat(t.samplingRatio()).isEqualTo(0.25);
    assertThat(t.captureContent()).isTrue();
    assertThat(t.serviceName()).isEqualTo("support-bot");
    assertThat(t.exportTimeoutDuration()).hasSeconds(3);
    assertThat(t.maxQueueSize()).isEqualTo(100);
  }

  @Test
  void refusesABadFormatEndpointRatioTimeoutAndQueue() {
    assertThat(problems("logFormat: xml"))
        .containsExactly("sidecar.logFormat: \"xml\" is not one of text, json");
    assertThat(problems("tracing: {otlpEndpoint: \"grpc://collector:4317\"}"))
        .containsExactly("sidecar.tracing.otlpEndpoint: must be an http:// or https:// URL");
    assertThat(problems("tracing: {otlpEndpoint: \"http://user:secret@collector:4318\"}"))
        .containsExactly(
            "sidecar.tracing.otlpEndpoint: must not hold user info (credentials do not belong in"
                + " a URL)");
    assertThat(problems("tracing: {otlpEndpoint: \"http:///v1/traces\"}"))
        .containsExactly("sidecar.tracing.otlpEndpoint: must name a host");
    assertThat(problems("tracing: {otlpEndpoint: \"not a url\"}"))
        .containsExactly("sidecar.tracing.otlpEndpoint: not a URL");
    assertThat(problems("tracing: {samplingRatio: 1.5}"))
        .containsExactly("sidecar.tracing.samplingRatio: 1.5 is outside 0..1");
    assertThat(problems("tracing: {samplingRatio: -0.1}"))
        .containsExactly("sidecar.tracing.samplingRatio: -0.1 is outside 0..1");
    assertThat(problems("tracing: {exportTimeout: 5m}"))
        .containsExactly("sidecar.tracing.exportTimeout: 5m is outside (0s, 60s]");
    assertThat(problems("tracing: {maxQueueSize: 0}"))
        .containsExactly("sidecar.tracing.maxQueueSize: 0 is outside 1..65536");
    assertThat(problems("tracing: {serviceName: " + "s".repeat(300) + "}"))
        .containsExactly("sidecar.tracing.serviceName: longer than 253 characters");
    assertThat(problems("tracing: {samplingRatio: 0, otlpEndpoint: \"http://c:4318/v1/traces\"}"))
        .isEmpty();
  }
}
