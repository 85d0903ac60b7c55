package io.aihandler.controllers.owned;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** When an owned object counts as "as desired": every field we set, and nothing else. */
class OwnedObjectApplierTest {

  private static final KubernetesClient CLIENT = new KubernetesClientBuilder().build();

  @AfterAll
  static void close() {
    CLIENT.close();
  }

  private static Deployment desired() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("llama")
        .withNamespace("models")
        .addToLabels("app.kubernetes.io/managed-by", "aihandler-operator")
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName("vllm")
        .withImage("vllm/vllm-openai:v0.11.0")
        .withArgs("--port=8000")
        .withNewResources()
        .addToLimits("nvidia.com/gpu", new Quantity("1"))
        .endResources()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  @Test
  void fieldsTheServerOrOthersAddDoNotCount() {
    Deployment existing =
        new DeploymentBuilder(desired())
            .editMetadata()
            .withResourceVersion("42")
            .withUid("u")
            .addToLabels("team", "platform")
            .endMetadata()
            .editSpec()
            .withRevisionHistoryLimit(10)
            .editTemplate()
            .editSpec()
            .withRestartPolicy("Always")
            .editFirstContainer()
            .withImagePullPolicy("IfNotPresent")
            .withTerminationMessagePath("/dev/termination-log")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .withNewStatus()
            .withReplicas(2)
            .endStatus()
            .build();
    assertThat(OwnedObjectApplier.covers(CLIENT, existing, desired())).isTrue();
  }

  @Test
  void aChangedImageArgGpuCountOrReplicasDoes() {
    assertThat(
            OwnedObjectApplier.covers(
                CLIENT,
                new DeploymentBuilder(desired())
                    .editSpec()
                    .editTemplate()
                    .editSpec()
                    .editFirstContainer()
                    .withImage("other:latest")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build(),
                desired()))
        .isFalse();
    assertThat(
            OwnedObjectApplier.covers(
                CLIENT,
                new DeploymentBuilder(desired())
                    .editSpec()
                    .editTemplate()
                    .editSpec()
                    .editFirstContainer()
                    .addToArgs("--enforce-eager")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build(),
                desired()))
        .isFalse();
    assertThat(
            OwnedObjectApplier.covers(
                CLIENT,
                new DeploymentBuilder(desired())
                    .editSpec()
                    .editTemplate()
                    .editSpec()
                    .editFirstContainer()
                    .editResources()
                    .addToLimits("nvidia.com/gpu", new Quantity("8"))
                    .endResources()
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build(),
                desired()))
        .isFalse();
    assertThat(
            OwnedObjectApplier.covers(
                CLIENT,
                new DeploymentBuilder(desired()).editSpec().withReplicas(5).endSpec().build(),
                desired()))
        .isFalse();
  }

  @Test
  void aQuantityInTheServersCanonicalFormIsTheSame() {
    Deployment halfACpu =
        new DeploymentBuilder(desired())
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .editResources()
            .addToRequests("cpu", new Quantity("0.5"))
            .addToRequests("memory", new Quantity("1Gi"))
            .endResources()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    Deployment stored =
        new DeploymentBuilder(halfACpu)
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .editResources()
            .addToRequests("cpu", new Quantity("500m"))
            .addToRequests("memory", new Quantity("1024Mi"))
            .endResources()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThat(OwnedObjectApplier.covers(CLIENT, stored, halfACpu)).isTrue();
    Deployment more =
        new DeploymentBuilder(halfACpu)
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .editResources()
            .addToRequests("cpu", new Quantity("600m"))
            .endResources()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThat(OwnedObjectApplier.covers(CLIENT, more, halfACpu)).isFalse();
  }

  @Test
  void aRemovedFieldDoesAndAnEmptyOneTheServerDropsDoesNot() {
    ConfigMap wanted =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("c")
            .withNamespace("n")
            .endMetadata()
            .addToData("router.yaml", "routes: []\n")
            .build();
    assertThat(
            OwnedObjectApplier.covers(
                CLIENT, new ConfigMapBuilder(wanted).withData(Map.of()).build(), wanted))
        .isFalse();
    ConfigMap withEmptyLabels =
        new ConfigMapBuilder(wanted).editMetadata().withLabels(Map.of()).endMetadata().build();
    assertThat(OwnedObjectApplier.covers(CLIENT, wanted, withEmptyLabels)).isTrue();
  }
}
