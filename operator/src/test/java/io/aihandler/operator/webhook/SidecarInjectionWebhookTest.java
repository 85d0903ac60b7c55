package io.aihandler.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.api.testing.Manifests;
import io.aihandler.api.v1alpha1.Workflow;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.javaoperatorsdk.webhook.admission.AdmissionController;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** AdmissionReview in, AdmissionReview out: what the API server sends and what it gets back. */
class SidecarInjectionWebhookTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Workflow WORKFLOW =
      Serialization.unmarshal(
          """
          apiVersion: aihandler.io/v1alpha1
          kind: Workflow
          metadata: {name: support-tickets, namespace: support, generation: 3}
          spec:
            policyRef: {name: support-routing}
            tasks: [{name: classify-ticket, route: classification}]
            sidecar:
              port: 5000
              resources:
                requests: {cpu: 100m, memory: 200Mi}
          """,
          Workflow.class);

  private final AdmissionController<Pod> nativeSidecar =
      new AdmissionController<>(
          new SidecarInjectionWebhook(this::lookup, SidecarInjectionSettings.defaults()));

  private Optional<Workflow> lookup(String namespace, String name) {
    return "support".equals(namespace) && "support-tickets".equals(name)
        ? Optional.of(WORKFLOW)
        : Optional.empty();
  }

  private static Pod pod(String yaml) {
    return Serialization.unmarshal(yaml, Pod.class);
  }

  private static final String LABELLED_POD =
      """
      apiVersion: v1
      kind: Pod
      metadata:
        generateName: support-app-7d9f-
        labels: {app: support, aihandler.io/workflow: support-tickets}
      spec:
        initContainers:
        - name: migrate
          image: busybox
          args: [sh, -c, "true"]
        containers:
        - name: app
          image: support-app:1.0
          env:
          - {name: OPENAI_BASE_URL, value: "https://proxy.example.com/v1"}
          - {name: OTHER, value: kept}
        - name: worker
          image: support-worker:1.0
      """;

  private AdmissionResponse review(AdmissionController<Pod> controller, Pod pod, String namespace) {
    AdmissionRequest request = new AdmissionRequest();
    request.setUid("0d5c4e3b-1111-4a55-9cde-000000000001");
    request.setKind(new GroupVersionKind("", "Pod", "v1"));
    request.setOperation("CREATE");
    request.setNamespace(namespace);
    request.setObject(pod);
    AdmissionReview review = new AdmissionReview();
    review.setApiVersion("admission.k8s.io/v1");
    review.setKind("AdmissionReview");
    review.setRequest(request);
    AdmissionReview answer = controller.handle(review);
    assertThat(answer.getResponse().getUid()).isEqualTo(request.getUid());
    return answer.getResponse();
  }

  /** Applies the response's JSON patch to the pod, as the API server does. */
  private static Pod patched(Pod pod, AdmissionResponse response) throws Exception {
    assertThat(response.getAllowed()).isTrue();
    if (response.getPatch() == null) {
      return pod;
    }
    assertThat(response.getPatchType()).isEqualTo("JSONPatch");
    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.getPatch()));
    JsonNode result = JsonPatch.apply(patch, JSON.valueToTree(pod));
    return JSON.treeToValue(result, Pod.class);
  }

  @Test
  void injectsANativeSidecarFirstAmongTheInitContainers() throws Exception {
    Pod pod = pod(LABELLED_POD);
    Pod result = patched(pod, review(nativeSidecar, pod, "support"));

    List<Container> init = result.getSpec().getInitContainers();
    assertThat(init).extracting(Container::getName).containsExactly("aihandler-router", "migrate");
    Container sidecar = init.get(0);
    assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
    assertThat(sidecar.getImage()).isEqualTo(SidecarInjectionSettings.DEFAULT_IMAGE);
    // The Workflow asks for 200Mi: the heap is what that leaves beside the JVM's own 96 MiB.
    assertThat(sidecar.getArgs())
        .containsExactly(
            "-Xmx104m",
            "-jar",
            "/app/router-sidecar.jar",
            "--config",
            "/etc/aihandler/router/router.yaml");
    assertThat(sidecar.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
    assertThat(sidecar.getStartupProbe().getHttpGet().getPort().getIntVal()).isEqualTo(5001);
    assertThat(sidecar.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(sidecar.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(sidecar.getVolumeMounts())
        .extracting(
            mount -> mount.getMountPath() + (Boolean.TRUE.equals(mount.getReadOnly()) ? ":ro" : ""))
        .containsExactly(
            "/etc/aihandler/router:ro",
            "/etc/aihandler/credentials:ro",
            "/tmp",
            "/var/run/secrets/aihandler.io/activation:ro");

    var security = sidecar.getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");

    var volumes = result.getSpec().getVolumes();
    assertThat(volumes)
        .extracting(volume -> volume.getName())
        .containsExactly(
            "aihandler-router-config",
            "aihandler-credentials",
            "aihandler-tmp",
            "aihandler-activation-token");
    assertThat(volumes.get(0).getConfigMap().getName()).isEqualTo("support-tickets-router");
    assertThat(volumes.get(1).getSecret().getSecretName()).isEqualTo("support-tickets-credentials");
    assertThat(volumes.get(1).getSecret().getOptional()).isTrue();
    assertThat(result.getMetadata().getAnnotations())
        .containsEntry(PodSidecarInjector.INJECTED_ANNOTATION, "3");
  }

  @Test
  void mountsTheActivationTokenIntoTheSidecarOnly() throws Exception {
    Pod pod = pod(LABELLED_POD);
    Pod result = patched(pod, review(nativeSidecar, pod, "support"));

    var token =
        result.getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("aihandler-activation-token"))
            .findFirst()
            .orElseThrow()
            .getProjected();
    assertThat(token.getSources()).hasSize(1);
    var projected = token.getSources().get(0).getServiceAccountToken();
    assertThat(projected.getAudience()).isEqualTo("aihandler.io/activation");
    assertThat(projected.getExpirationSeconds()).isEqualTo(3600L);
    assertThat(projected.getPath()).isEqualTo("token");
    assertThat("/var/run/secrets/aihandler.io/activation/" + projected.getPath())
        .isEqualTo(io.aihandler.controllers.workflow.WorkflowObjectNames.activationTokenFile());
    // The app containers get no activation token.
    assertThat(result.getSpec().getContainers())
        .allSatisfy(
            app ->
                assertThat(Optional.ofNullable(app.getVolumeMounts()).orElse(List.of()))
                    .noneMatch(m -> m.getName().equals("aihandler-activation-token")));
  }

  @Test
  void pointsAppContainersAtTheSidecarUnlessTheySetItThemselves() throws Exception {
    Pod pod = pod(LABELLED_POD);
    Pod result = patched(pod, review(nativeSidecar, pod, "support"));

    Map<String, String> app = env(result, "app");
    assertThat(app).containsEntry("OPENAI_BASE_URL", "https://proxy.example.com/v1");
    assertThat(app).containsEntry("OTHER", "kept");
    assertThat(app).containsEntry("AIHANDLER_ROUTER_URL", "http://127.0.0.1:5000");
    Map<String, String> worker = env(result, "worker");
    assertThat(worker).containsEntry("OPENAI_BASE_URL", "http://127.0.0.1:5000/v1");
    assertThat(worker).containsKey("OPENAI_API_KEY");
    assertThat(result.getSpec().getInitContainers().get(1).getEnv()).isNullOrEmpty();
  }

  @Test
  void reInjectionChangesNothing() throws Exception {
    Pod pod = pod(LABELLED_POD);
    Pod once = patched(pod, review(nativeSidecar, pod, "support"));
    AdmissionResponse again = review(nativeSidecar, once, "support");
    assertThat(again.getAllowed()).isTrue();
    assertThat(patched(once, again)).isEqualTo(once);
  }

  @Test
  void refusesAPodNamingAWorkflowThatDoesNotExist() {
    Pod pod = pod(LABELLED_POD);
    AdmissionResponse response = review(nativeSidecar, pod, "billing");
    assertThat(response.getAllowed()).isFalse();
    assertThat(response.getStatus().getMessage())
        .contains("aihandler.io/workflow=support-tickets")
        .contains("namespace billing has no Workflow named support-tickets");
    assertThat(response.getPatch()).isNull();
  }

  @Test
  void leavesOptedOutAndUnlabelledPodsAlone() throws Exception {
    Pod optedOut = pod(LABELLED_POD);
    optedOut
        .getMetadata()
        .setAnnotations(Map.of(SidecarInjectionWebhook.INJECT_ANNOTATION, "false"));
    assertThat(patched(optedOut, review(nativeSidecar, optedOut, "support"))).isEqualTo(optedOut);

    Pod unlabelled = pod(LABELLED_POD);
    unlabelled.getMetadata().setLabels(Map.of("app", "support"));
    AdmissionResponse response = review(nativeSidecar, unlabelled, "support");
    assertThat(response.getAllowed()).isTrue();
    assertThat(response.getPatch()).isNull();
  }

  @Test
  void canInjectAPlainContainerForClustersWithoutNativeSidecars() throws Exception {
    var plain =
        new AdmissionController<Pod>(
            new SidecarInjectionWebhook(
                this::lookup,
                new SidecarInjectionSettings(
                    "registry.local/router:1",
                    false,
                    SidecarInjectionSettings.standardResources())));
    Pod pod = pod(LABELLED_POD);
    Pod result = patched(pod, review(plain, pod, "support"));
    assertThat(result.getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("app", "worker", "aihandler-router");
    assertThat(result.getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("migrate");
    assertThat(result.getSpec().getContainers().get(2).getRestartPolicy()).isNull();
  }

  @Test
  void theOperatorsPullSecretsForTheSidecarImageAreAddedToTheAppsOwn() throws Exception {
    var privateRegistry =
        new AdmissionController<Pod>(
            new SidecarInjectionWebhook(
                this::lookup,
                new SidecarInjectionSettings(
                    "registry.internal/router:1",
                    true,
                    SidecarInjectionSettings.standardResources(),
                    List.of("sidecar-registry", "app-registry"))));
    Pod pod = pod(LABELLED_POD);
    pod.getSpec()
        .setImagePullSecrets(
            List.of(new io.fabric8.kubernetes.api.model.LocalObjectReference("app-registry")));
    Pod result = patched(pod, review(privateRegistry, pod, "support"));
    assertThat(result.getSpec().getImagePullSecrets())
        .extracting(io.fabric8.kubernetes.api.model.LocalObjectReference::getName)
        .containsExactly("app-registry", "sidecar-registry");
    assertThat(result.getSpec().getInitContainers().getFirst().getImage())
        .isEqualTo("registry.internal/router:1");

    Optional<KubernetesSchemas> schemas = KubernetesSchemas.locate();
    assumeThat(schemas).as(KubernetesSchemas.missingMessage()).isPresent();
    assertThat(schemas.get().validate(result)).isEmpty();
  }

  @Test
  void withoutOperatorPullSecretsThePodsOwnAreLeftAsTheyAre() throws Exception {
    Pod pod = pod(LABELLED_POD);
    Pod result = patched(pod, review(nativeSidecar, pod, "support"));
    assertThat(result.getSpec().getImagePullSecrets()).isNullOrEmpty();
  }

  @Test
  void theInjectedPodPassesTheStrictKubernetesSchema() throws Exception {
    Optional<KubernetesSchemas> schemas = KubernetesSchemas.locate();
    if (schemas.isEmpty()) {
      System.out.println(KubernetesSchemas.missingMessage());
    }
    assumeThat(schemas).as(KubernetesSchemas.missingMessage()).isPresent();
    Pod pod = pod(LABELLED_POD);
    Pod result = patched(pod, review(nativeSidecar, pod, "support"));
    assertThat(schemas.get().validate(result)).isEmpty();
    assertThat(schemas.get().validate(Manifests.parse(Serialization.asYaml(result)))).isEmpty();
  }

  private static Map<String, String> env(Pod pod, String container) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(container))
        .findFirst()
        .orElseThrow()
        .getEnv()
        .stream()
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
