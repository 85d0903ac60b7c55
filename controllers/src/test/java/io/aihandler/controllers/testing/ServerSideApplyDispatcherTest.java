package io.aihandler.controllers.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerSideApplyDispatcherTest {

  private final MockKubernetesApi api = MockKubernetesApi.startWithCrds();
  private final KubernetesClient client = api.client();

  @AfterEach
  void stop() {
    api.close();
  }

  private static ConfigMap config(String... keyValues) {
    ConfigMapBuilder builder =
        new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace("ns").endMetadata();
    for (int i = 0; i < keyValues.length; i += 2) {
      builder.addToData(keyValues[i], keyValues[i + 1]);
    }
    return builder.build();
  }

  @Test
  void applyCreatesAMissingObjectAndUpdatesAnExistingOne() {
    client.resource(config("a", "1")).fieldManager("op").forceConflicts().serverSideApply();
    assertThat(client.configMaps().inNamespace("ns").withName("c").get().getData())
        .containsExactly(java.util.Map.entry("a", "1"));

    client.resource(config("a", "2")).fieldManager("op").forceConflicts().serverSideApply();
    assertThat(client.configMaps().inNamespace("ns").withName("c").get().getData())
        .containsEntry("a", "2");
  }

  @Test
  void fieldsAManagerStopsApplyingAreRemovedOthersKept() {
    client
        .resource(config("a", "1", "b", "2"))
        .fieldManager("op")
        .forceConflicts()
        .serverSideApply();
    client.resource(config("c", "3")).fieldManager("other").forceConflicts().serverSideApply();
    client.resource(config("a", "1")).fieldManager("op").forceConflicts().serverSideApply();

    assertThat(client.configMaps().inNamespace("ns").withName("c").get().getData())
        .containsEntry("a", "1")
        .containsEntry("c", "3")
        .doesNotContainKey("b");
  }

  @Test
  void listsAreReplacedNotAppended() {
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("d")
            .withNamespace("ns")
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .addToMatchLabels("app", "d")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", "d")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("c")
            .withImage("img")
            .withArgs("--one", "--two")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.resource(deployment).fieldManager("op").forceConflicts().serverSideApply();
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .getFirst()
        .setArgs(java.util.List.of("--three"));
    client.resource(deployment).fieldManager("op").forceConflicts().serverSideApply();

    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("ns")
                .withName("d")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getArgs())
        .containsExactly("--three");
  }

  @Test
  void conditionsAreMergedByTypeAcrossManagersAsTheCrdsListMapDeclares() {
    ObjectNode one = JSON.createObjectNode();
    ArrayNode stored = JSON.createArrayNode();
    stored.addObject().put("type", "Ready").put("status", "True");
    stored.addObject().put("type", "AdviceAvailable").put("status", "False");
    stored.addObject().put("type", "Stale").put("status", "True");
    ArrayNode previous = JSON.createArrayNode();
    previous.addObject().put("type", "AdviceAvailable").put("status", "False");
    previous.addObject().put("type", "Stale").put("status", "True");
    ArrayNode applied = JSON.createArrayNode();
    applied.addObject().put("type", "AdviceAvailable").put("status", "True");
    one.set("conditions", applied);

    ArrayNode merged = ServerSideApplyDispatcher.mergeByType(stored, previous, applied);

    // Another manager's Ready is kept in place; this manager's Stale, no longer applied, is gone.
    assertThat(merged).hasSize(2);
    assertThat(merged.get(0).path("type").asText()).isEqualTo("Ready");
    assertThat(merged.get(1).path("status").asText()).isEqualTo("True");
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesAreCounted() {
    int before = api.writes().size();
    client.resource(config("a", "1")).fieldManager("op").forceConflicts().serverSideApply();
    client.configMaps().inNamespace("ns").withName("c").get();
    assertThat(api.writes().subList(before, api.writes().size()))
        .singleElement()
        .satisfies(w -> assertThat(w.method()).isEqualTo("PATCH"));
  }
}
