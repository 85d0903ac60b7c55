package io.aihandler.operator.webhook;

import io.aihandler.api.v1alpha1.SidecarJit;
import io.aihandler.api.v1alpha1.SidecarSpec;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.workflow.WorkflowObjectNames;
import io.aihandler.router.config.Activation;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The pod a labelled pod becomes: the router sidecar with its config and credential volumes, its
 * projected activation token, probes and a restricted security context, and the app containers
 * pointed at it. Pure and idempotent: a pod that already has the sidecar is returned unchanged.
 */
public final class PodSidecarInjector {

  /** Name of the injected container. */
  public static final String CONTAINER_NAME = "aihandler-router";

  static final String CONFIG_VOLUME = "aihandler-router-config";
  static final String CREDENTIALS_VOLUME = "aihandler-credentials";
  static final String TMP_VOLUME = "aihandler-tmp";
  static final String ACTIVATION_TOKEN_VOLUME = "aihandler-activation-token";

  /**
   * Lifetime of the projected activation token; the kubelet renews it at 80% of that, and the
   * sidecar reads the file on every activation.
   */
  static final long ACTIVATION_TOKEN_SECONDS = 3600;

  /** Annotation that records the injection (and the Workflow generation it was made from). */
  public static final String INJECTED_ANNOTATION = "aihandler.io/injected-from-generation";

  /** Placeholder key: OpenAI SDKs refuse to start without one; the sidecar ignores it. */
  static final String PLACEHOLDER_API_KEY = "unused-the-aihandler-sidecar-holds-the-keys";

  private static final int DEFAULT_PORT = 4080;

  /** Where the sidecar image keeps its jar (router-sidecar/Dockerfile). */
  public static final String SIDECAR_JAR = "/app/router-sidecar.jar";

  private final SidecarInjectionSettings settings;

  public PodSidecarInjector(SidecarInjectionSettings settings) {
    this.settings = settings;
  }

  /** Whether the pod already carries the sidecar. */
  public static boolean isInjected(Pod pod) {
    return Stream.concat(
            Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()).stream(),
            Optional.ofNullable(pod.getSpec().getContainers()).orElse(List.of()).stream())
        .anyMatch(container -> CONTAINER_NAME.equals(container.getName()));
  }

  /** The injected pod; the input is not modified. */
  public Pod inject(Pod pod, Workflow workflow) {
    if (isInjected(pod)) {
      return pod;
    }
    int port = port(workflow);
    PodBuilder result = new PodBuilder(pod);
    result
        .editMetadata()
        .addToAnnotations(INJECTED_ANNOTATION, String.valueOf(generation(workflow)))
        .endMetadata();

    List<Container> apps = new ArrayList<>();
    for (Container app : pod.getSpec().getContainers()) {
      apps.add(pointAtSidecar(app, port));
    }
    Container sidecar = sidecar(workflow, port);
    var spec = result.editSpec().withContainers(apps);
    if (settings.nativeSidecar()) {
      // First, so it is ready before the other init containers and the app start.
      List<Container> initContainers = new ArrayList<>();
      initContainers.add(new ContainerBuilder(sidecar).withRestartPolicy("Always").build());
      initContainers.addAll(
          Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()));
      spec.withInitContainers(initContainers);
    } else {
      spec.addToContainers(sidecar);
    }
    spec.addAllToVolumes(volumes(workflow));
    if (!settings.imagePullSecrets().isEmpty()) {
      spec.withImagePullSecrets(pullSecrets(pod));
    }
    return spec.endSpec().build();
  }

  private Container sidecar(Workflow workflow, int port) {
    int managementPort = managementPort(port);
    SidecarMemory memory = SidecarMemory.of(workflow, settings.defaultResources());
    // Port, log level and the rest come from the mounted router document, so a change to them
    // reaches running sidecars without re-creating pods. The heap is fixed at start: the image's
    // entrypoint is the JVM with every other flag, its arguments the heap and the jar.
    return new ContainerBuilder()
        .withName(CONTAINER_NAME)
        .withImage(settings.image())
        .withArgs(args(workflow, memory))
        .addNewPort()
        .withName("aihandler-mgmt")
        .withContainerPort(managementPort)
        .withProtocol("TCP")
        .endPort()
        .withResources(memory.resources())
        .withStartupProbe(probe("/readyz", managementPort, 1, 30))
        .withReadinessProbe(probe("/readyz", managementPort, 5, 2))
        .withLivenessProbe(probe("/healthz", managementPort, 10, 3))
        .addNewVolumeMount()
        .withName(CONFIG_VOLUME)
        .withMountPath(WorkflowObjectNames.CONFIG_DIRECTORY)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName(CREDENTIALS_VOLUME)
        .withMountPath(WorkflowObjectNames.CREDENTIALS_DIRECTORY)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName(TMP_VOLUME)
        .withMountPath("/tmp")
        .endVolumeMount()
        .addNewVolumeMount()
        .withName(ACTIVATION_TOKEN_VOLUME)
        .withMountPath(WorkflowObjectNames.ACTIVATION_TOKEN_DIRECTORY)
        .withReadOnly(true)
        .endVolumeMount()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(65532L)
        .withRunAsGroup(65532L)
        .withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .build();
  }

  /**
   * The JVM's arguments after the image's entrypoint (every flag of the launcher's but the heap),
   * then the jar and the mounted document. C2 comes back with the default tier, which a later flag
   * sets over the entrypoint's C1-only one, and one compiler thread each.
   */
  static List<String> args(Workflow workflow, SidecarMemory memory) {
    List<String> args = new ArrayList<>();
    if (sidecarSpec(workflow).jit() == SidecarJit.FULL) {
      args.add("-XX:TieredStopAtLevel=4");
      args.add("-XX:CICompilerCount=2");
    }
    args.add("-Xmx" + memory.maxHeapMib() + "m");
    args.addAll(List.of("-jar", SIDECAR_JAR, "--config", WorkflowObjectNames.configFile()));
    return args;
  }

  /** The pod's own pull Secrets, then the operator's for the sidecar image that the pod lacks. */
  private List<LocalObjectReference> pullSecrets(Pod pod) {
    List<LocalObjectReference> secrets =
        new ArrayList<>(Optional.ofNullable(pod.getSpec().getImagePullSecrets()).orElse(List.of()));
    for (String name : settings.imagePullSecrets()) {
      if (secrets.stream().noneMatch(secret -> name.equals(secret.getName()))) {
        secrets.add(new LocalObjectReference(name));
      }
    }
    return secrets;
  }

  /** The sidecar reads the mounted files and picks up changes itself: no restart on rotation. */
  private static List<Volume> volumes(Workflow workflow) {
    return List.of(
        new VolumeBuilder()
            .withName(CONFIG_VOLUME)
            .withNewConfigMap()
            .withName(WorkflowObjectNames.routerConfigMap(workflow))
            .endConfigMap()
            .build(),
        new VolumeBuilder()
            .withName(CREDENTIALS_VOLUME)
            .withNewSecret()
            .withSecretName(WorkflowObjectNames.credentialsSecret(workflow))
            // A Workflow that uses only in-cluster backends has no credentials to mount.
            .withOptional(true)
            .withDefaultMode(0440)
            .endSecret()
            .build(),
        new VolumeBuilder()
            .withName(TMP_VOLUME)
            .withNewEmptyDir()
            .withMedium("Memory")
            .withSizeLimit(new Quantity("16Mi"))
            .endEmptyDir()
            .build(),
        // The pod's ServiceAccount token for the activation audience only: it authenticates the
        // sidecar to the operator and is worth nothing to the Kubernetes API. Mounted into the
        // sidecar alone, not into the app containers.
        new VolumeBuilder()
            .withName(ACTIVATION_TOKEN_VOLUME)
            .withNewProjected()
            .withDefaultMode(0440)
            .addNewSource()
            .withNewServiceAccountToken()
            .withAudience(Activation.AUDIENCE)
            .withExpirationSeconds(ACTIVATION_TOKEN_SECONDS)
            .withPath(WorkflowObjectNames.ACTIVATION_TOKEN_KEY)
            .endServiceAccountToken()
            .endSource()
            .endProjected()
            .build());
  }

  /** Adds the sidecar's URLs to an app container, keeping whatever the app set itself. */
  private static Container pointAtSidecar(Container app, int port) {
    List<EnvVar> env = new ArrayList<>(Optional.ofNullable(app.getEnv()).orElse(List.of()));
    addUnlessSet(env, "OPENAI_BASE_URL", "http://127.0.0.1:" + port + "/v1");
    addUnlessSet(env, "OPENAI_API_KEY", PLACEHOLDER_API_KEY);
    addUnlessSet(env, "AIHANDLER_ROUTER_URL", "http://127.0.0.1:" + port);
    return new ContainerBuilder(app).withEnv(env).build();
  }

  private static void addUnlessSet(List<EnvVar> env, String name, String value) {
    if (env.stream().noneMatch(variable -> name.equals(variable.getName()))) {
      env.add(new EnvVar(name, value, null));
    }
  }

  private static Probe probe(String path, int port, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(port))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .withTimeoutSeconds(1)
        .build();
  }

  private static SidecarSpec sidecarSpec(Workflow workflow) {
    return Optional.ofNullable(workflow.getSpec().sidecar())
        .orElse(new SidecarSpec(null, null, null, null, null, null, null));
  }

  /**
   * The sidecar's management port (health and metrics), one above the API port. The API listens on
   * 127.0.0.1 only, so other pods cannot spend this pod's keys; the kubelet's probes and Prometheus
   * reach the pod's IP, so they get a port that serves nothing else.
   */
  public static int managementPort(int apiPort) {
    return apiPort + 1;
  }

  private static int port(Workflow workflow) {
    return Optional.ofNullable(sidecarSpec(workflow).port()).orElse(DEFAULT_PORT);
  }

  private static long generation(Workflow workflow) {
    return Optional.ofNullable(workflow.getMetadata().getGeneration()).orElse(0L);
  }
}
