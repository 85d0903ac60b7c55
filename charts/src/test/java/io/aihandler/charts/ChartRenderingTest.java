package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.testing.KubernetesSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code helm template} of the chart with its defaults and the variations users reach for: each
 * rendered object is valid against the strict Kubernetes 1.30 schemas (the Prometheus Operator's
 * kinds against their CRDs' schemas, cert-manager's kinds have the shape it expects), and each
 * variation changes what it claims to.
 */
class ChartRenderingTest {

  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  static Stream<Arguments> variations() {
    return Stream.of(
        Arguments.of("defaults", Map.of()),
        Arguments.of("cert-manager", Map.of("webhook.tls.mode", "cert-manager")),
        Arguments.of(
            "cert-manager with an existing ClusterIssuer",
            Map.of(
                "webhook.tls.mode", "cert-manager",
                "webhook.tls.certManager.issuerRef.name", "corporate-ca",
                "webhook.tls.certManager.issuerRef.kind", "ClusterIssuer")),
        Arguments.of(
            "ServiceMonitor",
            Map.of(
                "monitoring.serviceMonitor.enabled",
                true,
                "monitoring.serviceMonitor.labels.release",
                "kube-prometheus")),
        Arguments.of(
            "monitoring pack",
            Map.of(
                "monitoring.serviceMonitor.enabled", true,
                "monitoring.podMonitor.enabled", true,
                "monitoring.podMonitor.namespaces[0]", "shop",
                "monitoring.prometheusRule.enabled", true,
                "monitoring.dashboard.enabled", true,
                "monitoring.labels.release", "kube-prometheus")),
        Arguments.of("container sidecar mode", Map.of("sidecar.mode", "container")),
        Arguments.of(
            "watch namespaces",
            Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b")),
        Arguments.of(
            "image digest", Map.of("image.digest", DIGEST, "sidecar.image.digest", DIGEST)),
        Arguments.of("one replica", Map.of("replicaCount", 1)),
        Arguments.of(
            "egress: proxy, CA bundle, extra env",
            Map.of(
                "proxy.httpsProxy", "http://proxy.corp.example:3128",
                "proxy.noProxy[0]", "10.96.0.0/12",
                "proxy.noProxy[1]", ".corp.example",
                "extraCaBundle.configMap", "corp-ca",
                "extraEnv[0].name", "PROVIDER_ENDPOINTS",
                "extraEnv[0].value", "openai=https://egress.corp.example/openai/v1")),
        Arguments.of(
            "CA bundle from a Secret",
            Map.of("extraCaBundle.secret", "corp-ca", "extraCaBundle.key", "bundle.pem")),
        Arguments.of(
            "everything off",
            Map.of(
                "podDisruptionBudget.enabled",
                false,
                "rbac.create",
                false,
                "serviceAccount.create",
                false,
                "serviceAccount.name",
                "platform-operator")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variations")
  void everyRenderedObjectIsValid(String variation, Map<String, Object> values) {
    KubernetesSchemas schemas = schemasOrSkip();
    ChartRenderer.Rendered rendered = ChartRenderer.render(values);
    assertThat(rendered.objects()).isNotEmpty();
    List<String> errors = new ArrayList<>();
    List<JsonNode> everything = new ArrayList<>(rendered.objects());
    List<JsonNode> hooks = ChartRenderer.renderHooks(values);
    assertThat(hooks).as("helm test pods").isNotEmpty();
    everything.addAll(hooks);
    for (JsonNode object : everything) {
      String apiVersion = object.path("apiVersion").asText();
      String kind = object.path("kind").asText();
      switch (apiVersion) {
        case "monitoring.coreos.com/v1" ->
            errors.addAll(thirdPartySchemasOrSkip().validate(object));
        case "cert-manager.io/v1" -> errors.addAll(HandCheckedShapes.certManager(object));
        default -> {
          assertThat(schemas.knows(apiVersion, kind))
              .as("schema for %s %s", apiVersion, kind)
              .isTrue();
          errors.addAll(schemas.validate(object));
        }
      }
      assertThat(object.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText())
          .as("labels of %s", kind)
          .isEqualTo("aihandler");
    }
    assertThat(errors).as("%s: schema errors", variation).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variations")
  void everyPodTemplateIsRestricted(String variation, Map<String, Object> values) {
    JsonNode podSpec =
        ChartRenderer.render(values)
            .single("Deployment")
            .path("spec")
            .path("template")
            .path("spec");
    JsonNode pod = podSpec.path("securityContext");
    assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("runAsUser").asInt()).isEqualTo(65532);
    assertThat(pod.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    for (JsonNode container : podSpec.path("containers")) {
      JsonNode security = container.path("securityContext");
      assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
      assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
      assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
      assertThat(security.path("capabilities").path("drop"))
          .extracting(JsonNode::asText)
          .containsExactly("ALL");
      assertThat(container.path("resources").path("requests").path("memory").asText()).isNotEmpty();
      assertThat(container.path("resources").path("limits").path("memory").asText()).isNotEmpty();
      assertThat(container.path("volumeMounts"))
          .anySatisfy(mount -> assertThat(mount.path("mountPath").asText()).isEqualTo("/tmp"));
    }
  }

  @Test
  void defaultsRunTwoSpreadReplicasWithTheOperatorsContract() {
    ChartRenderer.Rendered rendered = ChartRenderer.render();
    JsonNode deployment = rendered.single("Deployment");
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
    JsonNode spread =
        deployment
            .path("spec")
            .path("template")
            .path("spec")
            .path("topologySpreadConstraints")
            .get(0);
    assertThat(spread.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
    assertThat(rendered.single("PodDisruptionBudget").path("spec").path("maxUnavailable").asInt())
        .isEqualTo(1);

    JsonNode container = rendered.operatorContainer();
    assertThat(container.path("image").asText()).isEqualTo("ghcr.io/aihandler/operator:0.1.0");
    assertThat(container.path("ports"))
        .extracting(p -> p.path("name").asText() + ":" + p.path("containerPort").asInt())
        .containsExactlyInAnyOrder("webhook:9443", "metrics:8080");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/healthz");
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/readyz");

    String fullname = "aihandler";
    String cluster = ChartRenderer.NAMESPACE + "-" + fullname;
    assertThat(rendered.operatorEnvironment())
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("OPERATOR_NAMESPACE", "fieldRef:metadata.namespace"),
                Map.entry("OPERATOR_POD_NAME", "fieldRef:metadata.name"),
                Map.entry("WATCH_NAMESPACES", ""),
                Map.entry("SIDECAR_IMAGE", "ghcr.io/aihandler/router-sidecar:0.1.0"),
                Map.entry("SIDECAR_MODE", "native"),
                Map.entry("WEBHOOK_PORT", "9443"),
                Map.entry("METRICS_PORT", "8080"),
                Map.entry("WEBHOOK_SERVICE", fullname + "-webhook"),
                Map.entry("WEBHOOK_TLS_SECRET", fullname + "-webhook-tls"),
                Map.entry("WEBHOOK_TLS_MODE", "self-managed"),
                Map.entry("MUTATING_WEBHOOK_CONFIGURATION", cluster + "-sidecar-injector"),
                Map.entry("VALIDATING_WEBHOOK_CONFIGURATION", cluster + "-workflow-validator"),
                Map.entry("LEADER_ELECTION_LEASE", fullname + "-leader"),
                Map.entry("LOG_LEVEL", "info"),
                Map.entry("LOG_FORMAT", "text"),
                Map.entry(
                    "JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"),
                // The advisor's documented defaults, without a Prometheus.
                Map.entry("ADVISOR_PROMETHEUS_URL", ""),
                Map.entry("ADVISOR_NAMESPACE_LABEL", "namespace"),
                Map.entry("ADVISOR_WINDOW", "7d"),
                Map.entry("ADVISOR_REFRESH_INTERVAL", "15m"),
                Map.entry("ADVISOR_QUERY_TIMEOUT", "10s"),
                Map.entry("ADVISOR_CLOSED_BELOW_TOKENS_PER_MONTH", "50000000"),
                Map.entry("ADVISOR_OPEN_ABOVE_TOKENS_PER_MONTH", "500000000"),
                Map.entry("ADVISOR_SELF_HOSTING_ENGINEERS", "0.25"),
                Map.entry("ADVISOR_ENGINEER_YEARLY_COST_USD", "200000"),
                Map.entry("ADVISOR_VALIDITY_TOLERANCE_POINTS", "1"),
                Map.entry("ADVISOR_COMPLEX_SCHEMA_NODES", "12"),
                Map.entry("ADVISOR_FREQUENT_PROMPT_CHANGES_PER_MONTH", "2"),
                Map.entry("ADVISOR_STABLE_PROMPT_DAYS", "30"),
                Map.entry("ADVISOR_VLLM_CONCURRENCY_PER_REPLICA", "8")));

    // The names the operator is told are the objects the chart creates.
    Map<String, String> env = rendered.operatorEnvironment();
    assertThat(rendered.find("Service", env.get("WEBHOOK_SERVICE"))).isPresent();
    assertThat(
            rendered.find(
                "MutatingWebhookConfiguration", env.get("MUTATING_WEBHOOK_CONFIGURATION")))
        .isPresent();
    assertThat(
            rendered.find(
                "ValidatingWebhookConfiguration", env.get("VALIDATING_WEBHOOK_CONFIGURATION")))
        .isPresent();
    assertThat(rendered.ofKind("ServiceMonitor")).isEmpty();
    assertThat(rendered.ofKind("Certificate")).isEmpty();
  }

  @Test
  void servicesReachTheOperatorPodsByPortName() {
    ChartRenderer.Rendered rendered = ChartRenderer.render();
    JsonNode podLabels =
        rendered.single("Deployment").path("spec").path("template").path("metadata").path("labels");
    for (JsonNode service : rendered.ofKind("Service")) {
      service
          .path("spec")
          .path("selector")
          .properties()
          .forEach(
              label ->
                  assertThat(podLabels.path(label.getKey()).asText())
                      .as("pod label %s", label.getKey())
                      .isEqualTo(label.getValue().asText()));
    }
    JsonNode webhook =
        rendered
            .find("Service", "aihandler-webhook")
            .orElseThrow()
            .path("spec")
            .path("ports")
            .get(0);
    assertThat(webhook.path("port").asInt()).isEqualTo(443);
    assertThat(webhook.path("targetPort").asText()).isEqualTo("webhook");
    JsonNode metrics =
        rendered
            .find("Service", "aihandler-metrics")
            .orElseThrow()
            .path("spec")
            .path("ports")
            .get(0);
    assertThat(metrics.path("targetPort").asText()).isEqualTo("metrics");
  }

  @Test
  void mutatingWebhookOnlySeesOptedInPodsOutsideTheOperatorsNamespace() {
    JsonNode webhook =
        ChartRenderer.render().single("MutatingWebhookConfiguration").path("webhooks").get(0);
    assertThat(webhook.path("clientConfig").path("service").path("path").asText())
        .isEqualTo("/mutate-pods");
    assertThat(webhook.path("failurePolicy").asText()).isEqualTo("Fail");
    assertThat(webhook.path("sideEffects").asText()).isEqualTo("None");
    assertThat(webhook.path("reinvocationPolicy").asText()).isEqualTo("IfNeeded");
    assertThat(webhook.path("timeoutSeconds").asInt()).isEqualTo(10);
    JsonNode rule = webhook.path("rules").get(0);
    assertThat(rule.path("resources")).extracting(JsonNode::asText).containsExactly("pods");
    assertThat(rule.path("operations")).extracting(JsonNode::asText).containsExactly("CREATE");
    JsonNode objectSelector = webhook.path("objectSelector").path("matchExpressions").get(0);
    assertThat(objectSelector.path("key").asText()).isEqualTo("aihandler.io/workflow");
    assertThat(objectSelector.path("operator").asText()).isEqualTo("Exists");
    JsonNode namespaces = webhook.path("namespaceSelector").path("matchExpressions");
    assertThat(namespaces).hasSize(1);
    assertThat(namespaces.get(0).path("key").asText()).isEqualTo("kubernetes.io/metadata.name");
    assertThat(namespaces.get(0).path("operator").asText()).isEqualTo("NotIn");
    assertThat(namespaces.get(0).path("values"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder(ChartRenderer.NAMESPACE, "kube-system");
    assertThat(webhook.path("clientConfig").has("caBundle")).isFalse();

    JsonNode validating =
        ChartRenderer.render().single("ValidatingWebhookConfiguration").path("webhooks").get(0);
    assertThat(validating.path("clientConfig").path("service").path("path").asText())
        .isEqualTo("/validate-workflows");
    JsonNode validatingRule = validating.path("rules").get(0);
    assertThat(validatingRule.path("apiGroups"))
        .extracting(JsonNode::asText)
        .containsExactly("aihandler.io");
    assertThat(validatingRule.path("apiVersions"))
        .extracting(JsonNode::asText)
        .containsExactly("v1alpha1");
    assertThat(validatingRule.path("resources"))
        .extracting(JsonNode::asText)
        .containsExactly("workflows");
    assertThat(validatingRule.path("operations"))
        .extracting(JsonNode::asText)
        .containsExactly("CREATE", "UPDATE");
  }

  @Test
  void watchNamespacesNarrowTheOperatorAndItsWebhooks() {
    ChartRenderer.Rendered rendered =
        ChartRenderer.render(
            Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"));
    assertThat(rendered.operatorEnvironment()).containsEntry("WATCH_NAMESPACES", "team-a,team-b");
    JsonNode mutating = rendered.single("MutatingWebhookConfiguration").path("webhooks").get(0);
    assertThat(mutating.path("namespaceSelector").path("matchExpressions"))
        .anySatisfy(
            expression -> {
              assertThat(expression.path("operator").asText()).isEqualTo("In");
              assertThat(expression.path("values"))
                  .extracting(JsonNode::asText)
                  .containsExactly("team-a", "team-b");
            });
    JsonNode validating = rendered.single("ValidatingWebhookConfiguration").path("webhooks").get(0);
    assertThat(validating.path("namespaceSelector").path("matchExpressions").get(0).path("values"))
        .extracting(JsonNode::asText)
        .containsExactly("team-a", "team-b");
  }

  @Test
  void sidecarModeAndImageDigestsReachTheOperator() {
    ChartRenderer.Rendered rendered =
        ChartRenderer.render(
            Map.of(
                "sidecar.mode",
                "container",
                "image.digest",
                DIGEST,
                "sidecar.image.digest",
                DIGEST,
                "sidecar.image.tag",
                "0.1.1"));
    assertThat(rendered.operatorContainer().path("image").asText())
        .isEqualTo("ghcr.io/aihandler/operator:0.1.0@" + DIGEST);
    assertThat(rendered.operatorEnvironment())
        .containsEntry("SIDECAR_MODE", "container")
        .containsEntry("SIDECAR_IMAGE", "ghcr.io/aihandler/router-sidecar:0.1.1@" + DIGEST);
  }

  @Test
  void certManagerModeFillsTheSecretTheOperatorReadsAndInjectsTheCa() {
    ChartRenderer.Rendered rendered =
        ChartRenderer.render(Map.of("webhook.tls.mode", "cert-manager"));
    Map<String, String> env = rendered.operatorEnvironment();
    assertThat(env).containsEntry("WEBHOOK_TLS_MODE", "cert-manager");
    JsonNode certificate = rendered.single("Certificate");
    assertThat(certificate.path("spec").path("secretName").asText())
        .isEqualTo(env.get("WEBHOOK_TLS_SECRET"));
    assertThat(certificate.path("spec").path("dnsNames"))
        .extracting(JsonNode::asText)
        .contains(env.get("WEBHOOK_SERVICE") + "." + ChartRenderer.NAMESPACE + ".svc");
    JsonNode issuer = rendered.single("Issuer");
    assertThat(certificate.path("spec").path("issuerRef").path("name").asText())
        .isEqualTo(issuer.path("metadata").path("name").asText());
    String injectFrom =
        ChartRenderer.NAMESPACE + "/" + certificate.path("metadata").path("name").asText();
    for (String kind : Set.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
      assertThat(
              rendered
                  .single(kind)
                  .path("metadata")
                  .path("annotations")
                  .path("cert-manager.io/inject-ca-from")
                  .asText())
          .as(kind)
          .isEqualTo(injectFrom);
    }

    ChartRenderer.Rendered existingIssuer =
        ChartRenderer.render(
            Map.of(
                "webhook.tls.mode",
                "cert-manager",
                "webhook.tls.certManager.issuerRef.name",
                "corporate-ca",
                "webhook.tls.certManager.issuerRef.kind",
                "ClusterIssuer"));
    assertThat(existingIssuer.ofKind("Issuer")).isEmpty();
    assertThat(
            existingIssuer
                .single("Certificate")
                .path("spec")
                .path("issuerRef")
                .path("kind")
                .asText())
        .isEqualTo("ClusterIssuer");
  }

  @Test
  void serviceMonitorScrapesTheMetricsServiceOnly() {
    ChartRenderer.Rendered rendered =
        ChartRenderer.render(
            Map.of(
                "monitoring.serviceMonitor.enabled",
                true,
                "monitoring.serviceMonitor.labels.release",
                "kube-prometheus"));
    JsonNode monitor = rendered.single("ServiceMonitor");
    assertThat(monitor.path("metadata").path("labels").path("release").asText())
        .isEqualTo("kube-prometheus");
    JsonNode selector = monitor.path("spec").path("selector").path("matchLabels");
    List<String> selected =
        rendered.ofKind("Service").stream()
            .filter(
                service -> {
                  JsonNode labels = service.path("metadata").path("labels");
                  return selector.properties().stream()
                      .allMatch(
                          e -> e.getValue().asText().equals(labels.path(e.getKey()).asText()));
                })
            .map(service -> service.path("metadata").path("name").asText())
            .toList();
    assertThat(selected).containsExactly("aihandler-metrics");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("port").asText())
        .isEqualTo("metrics");
  }

  private static ThirdPartySchemas thirdPartySchemasOrSkip() {
    var schemas = ThirdPartySchemas.locate();
    Assumptions.assumeTrue(
        schemas.isPresent(), "third-party CRD schemas not found beside the Kubernetes schemas");
    return schemas.get();
  }

  private static KubernetesSchemas schemasOrSkip() {
    var schemas = KubernetesSchemas.locate();
    Assumptions.assumeTrue(schemas.isPresent(), KubernetesSchemas.missingMessage());
    return schemas.get();
  }
}
