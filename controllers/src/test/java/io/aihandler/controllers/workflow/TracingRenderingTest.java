package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.testing.ModelBackends;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.SidecarSettings;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A Workflow's tracing and log format, rendered and read back by the sidecar's own loader. */
class TracingRenderingTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private static SidecarSettings render(String sidecar) {
    var backend =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: qwen, namespace: team}
            spec:
              vllm: {model: "hf://Qwen/Qwen2.5-7B-Instruct"}
            """);
    RoutingPolicy policy =
        YAML.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: RoutingPolicy
            metadata: {name: p, namespace: team}
            spec:
              routes:
              - name: chat
                targets:
                - backend: {name: qwen}
            """,
            RoutingPolicy.class);
    Workflow workflow =
        YAML.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: Workflow
            metadata: {name: support-bot, namespace: team}
            spec:
              policyRef: {name: p}
              tasks:
              - {name: answer, route: chat}
            """
                + sidecar,
            Workflow.class);
    var routes =
        RoutingPolicyResolution.resolve(policy, key -> Optional.of(backend), ns -> Map.of())
            .routes();
    var rendered =
        RouterConfigRenderer.render(workflow, policy, routes, Set.of(), ProviderEndpoints.PUBLIC);
    assertThat(rendered.problems()).isEmpty();
    RouterConfig config = rendered.config();
    return config.sidecar();
  }

  @Test
  void withoutTracingTheSidecarTracesNothingAndLogsText() {
    SidecarSettings s = render("");
    assertThat(s.tracing().enabled()).isFalse();
    assertThat(s.logFormat()).isEqualTo("text");
  }

  @Test
  void everyTracingFieldArrivesAndTheServiceIsNamedAfterTheWorkflow() {
    SidecarSettings s =
        render(
            """
              sidecar:
                logFormat: json
                tracing:
                  otlpEndpoint: "http://otel-collector.observability:4318/v1/traces"
                  samplingRatio: 0.1
                  captureContent: true
                  exportTimeout: 3s
                  maxQueueSize: 512
            """);
    assertThat(s.logFormat()).isEqualTo("json");
    assertThat(s.tracing().enabled()).isTrue();
    assertThat(s.tracing().otlpEndpoint())
        .isEqualTo("http://otel-collector.observability:4318/v1/traces");
    assertThat(s.tracing().samplingRatio()).isEqualTo(0.1);
    assertThat(s.tracing().captureContent()).isTrue();
    assertThat(s.tracing().serviceName()).isEqualTo("support-bot");
    assertThat(s.tracing().exportTimeout()).isEqualTo("3s");
    assertThat(s.tracing().maxQueueSize()).isEqualTo(512);
  }

  @Test
  void aServiceNameOfItsOwnWins() {
    SidecarSettings s =
        render(
            """
              sidecar:
                tracing: {otlpEndpoint: "https://collector:4318/v1/traces", serviceName: bots}
            """);
    assertThat(s.tracing().serviceName()).isEqualTo("bots");
    assertThat(s.tracing().samplingRatio()).isEqualTo(1.0);
    assertThat(s.tracing().captureContent()).isFalse();
  }
}
