package io.aihandler.demo.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plays what the scheduler, the Deployment controller and the kubelet do in a cluster, and nothing
 * more: it starts a Deployment's pods and reports them ready (writing the status the kubelet
 * would), and "mounts" the ConfigMaps and Secrets a pod's container names into a local directory,
 * file per key, as the kubelet mounts volumes.
 */
public final class LocalKubelet {

  /** Mints a pod's projected ServiceAccount token, as the kubelet asks the API server to. */
  @FunctionalInterface
  public interface TokenMinter {
    String mint(String namespace, String serviceAccount, String pod, String audience);
  }

  private final KubernetesClient client;
  private final TokenMinter tokens;

  public LocalKubelet(KubernetesClient client) {
    this(client, null);
  }

  /**
   * @param tokens mints the tokens of projected {@code serviceAccountToken} volumes; null leaves
   *     them unmounted
   */
  public LocalKubelet(KubernetesClient client, TokenMinter tokens) {
    this.client = client;
    this.tokens = tokens;
  }

  /**
   * Creates the Deployment's pods from its template, running and ready on the given pod IP, and
   * writes the Deployment status its controller would then report.
   *
   * @return the pods
   */
  public List<Pod> runReady(String namespace, String deploymentName, String podIp) {
    Deployment deployment =
        client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
    if (deployment == null) {
      throw new IllegalStateException(
          "Deployment " + namespace + "/" + deploymentName + " does not exist");
    }
    int replicas = Optional.ofNullable(deployment.getSpec().getReplicas()).orElse(1);
    String now = Instant.now().toString();
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      String name =
          deploymentName + "-7c9f8d5b4-" + "abcdefghij".charAt(i % 10) + Integer.toString(i, 36);
      Pod pod =
          new PodBuilder()
              .withNewMetadataLike(deployment.getSpec().getTemplate().getMetadata())
              .withName(name)
              .withNamespace(namespace)
              .endMetadata()
              .withSpec(deployment.getSpec().getTemplate().getSpec())
              .build();
      pod.getSpec().setNodeName("gpu-node-" + (i + 1));
      Pod existing = client.pods().inNamespace(namespace).withName(name).get();
      Pod stored = existing != null ? existing : client.resource(pod).create();
      stored.setStatus(
          new PodStatusBuilder()
              .withPhase("Running")
              .withPodIP(podIp)
              .withStartTime(now)
              .withConditions(
                  new PodConditionBuilder().withType("PodScheduled").withStatus("True").build(),
                  new PodConditionBuilder().withType("Initialized").withStatus("True").build(),
                  new PodConditionBuilder().withType("ContainersReady").withStatus("True").build(),
                  new PodConditionBuilder().withType("Ready").withStatus("True").build())
              .withContainerStatuses(
                  pod.getSpec().getContainers().stream()
                      .map(
                          c ->
                              new ContainerStatusBuilder()
                                  .withName(c.getName())
                                  .withImage(c.getImage())
                                  .withReady(true)
                                  .withStarted(true)
                                  .withRestartCount(0)
                                  .withNewState()
                                  .withNewRunning()
                                  .withStartedAt(now)
                                  .endRunning()
                                  .endState()
                                  .build())
                      .toList())
              .build());
      pods.add(client.resource(stored).updateStatus());
    }
    Deployment current =
        client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
    current.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(current.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withReadyReplicas(replicas)
            .withAvailableReplicas(replicas)
            .build());
    client.resource(current).updateStatus();
    return pods;
  }

  /**
   * Mounts the ConfigMap and Secret volumes of one container of the pod under {@code root}: a
   * volume mounted at {@code /etc/x} lands in {@code root/etc/x}, one file per key.
   *
   * @return mount path in the pod to the local directory holding it
   */
  public Map<String, Path> mountVolumes(Pod pod, Container container, Path root) {
    Map<String, Path> mounts = new LinkedHashMap<>();
    String namespace = pod.getMetadata().getNamespace();
    for (VolumeMount mount : container.getVolumeMounts()) {
      Volume volume =
          pod.getSpec().getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "pod mounts volume " + mount.getName() + " it does not declare"));
      Map<String, byte[]> files;
      List<KeyToPath> items;
      if (volume.getConfigMap() != null) {
        ConfigMap map =
            client
                .configMaps()
                .inNamespace(namespace)
                .withName(volume.getConfigMap().getName())
                .get();
        if (map == null) {
          throw new IllegalStateException(
              "ConfigMap "
                  + namespace
                  + "/"
                  + volume.getConfigMap().getName()
                  + " does not exist: the pod cannot start");
        }
        files = new LinkedHashMap<>();
        Optional.ofNullable(map.getData())
            .orElse(Map.of())
            .forEach((key, value) -> files.put(key, value.getBytes(StandardCharsets.UTF_8)));
        items = volume.getConfigMap().getItems();
      } else if (volume.getSecret() != null) {
        Secret secret =
            client
                .secrets()
                .inNamespace(namespace)
                .withName(volume.getSecret().getSecretName())
                .get();
        if (secret == null) {
          throw new IllegalStateException(
              "Secret "
                  + namespace
                  + "/"
                  + volume.getSecret().getSecretName()
                  + " does not exist: the pod cannot start");
        }
        files = new LinkedHashMap<>();
        Optional.ofNullable(secret.getData())
            .orElse(Map.of())
            .forEach((key, value) -> files.put(key, Base64.getDecoder().decode(value)));
        items = volume.getSecret().getItems();
      } else if (volume.getProjected() != null && tokens != null) {
        files = new LinkedHashMap<>();
        for (var source : volume.getProjected().getSources()) {
          var token = source.getServiceAccountToken();
          if (token != null) {
            String serviceAccount =
                Optional.ofNullable(pod.getSpec().getServiceAccountName()).orElse("default");
            files.put(
                token.getPath(),
                tokens
                    .mint(
                        namespace, serviceAccount, pod.getMetadata().getName(), token.getAudience())
                    .getBytes(StandardCharsets.UTF_8));
          }
        }
        items = null;
        Path directory = root.resolve(mount.getMountPath().replaceFirst("^/+", ""));
        write(directory, files, items, true);
        mounts.put(mount.getMountPath(), directory);
        continue;
      } else {
        continue; // emptyDir and the like: nothing the cluster provides
      }
      Path directory = root.resolve(mount.getMountPath().replaceFirst("^/+", ""));
      write(directory, files, items, volume.getSecret() != null);
      mounts.put(mount.getMountPath(), directory);
    }
    return mounts;
  }

  private static void write(
      Path directory, Map<String, byte[]> files, List<KeyToPath> items, boolean secret) {
    try {
      Files.createDirectories(directory);
      for (var file : files.entrySet()) {
        String path = file.getKey();
        if (items != null && !items.isEmpty()) {
          Optional<KeyToPath> item =
              items.stream().filter(i -> i.getKey().equals(file.getKey())).findFirst();
          if (item.isEmpty()) {
            continue;
          }
          path = item.get().getPath();
        }
        Path target = directory.resolve(path);
        Files.createDirectories(target.getParent());
        if (Files.isRegularFile(target)
            && java.util.Arrays.equals(Files.readAllBytes(target), file.getValue())) {
          continue; // unchanged: a remount must not touch what the sidecar reads
        }
        // As the kubelet's atomic writer: a reader sees the old file or the new one, never a
        // half-written one (an empty key file would take a backend's key away for a moment).
        Path next = Files.createTempFile(target.getParent(), ".next-", ".tmp");
        Files.write(next, file.getValue());
        if (secret) {
          try {
            Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
          } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the temp directory is private to the user anyway
          }
        }
        Files.move(
            next,
            target,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot mount into " + directory, e);
    }
  }
}
