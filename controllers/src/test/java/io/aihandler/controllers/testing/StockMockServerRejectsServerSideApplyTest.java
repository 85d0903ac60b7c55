package io.aihandler.controllers.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

/**
 * The reason {@link ServerSideApplyDispatcher} exists: fabric8's CRUD mock does not implement
 * server-side apply. An apply of a missing object does not create it (404) and an apply of an
 * existing one is refused as an unsupported patch type (415). When this test fails, the mock
 * supports SSA and the shim can go.
 */
class StockMockServerRejectsServerSideApplyTest {

  @Test
  void stockCrudMockNeitherCreatesNorUpdatesByApply() {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      ConfigMap config =
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName("c")
              .withNamespace("ns")
              .endMetadata()
              .addToData("k", "v")
              .build();
      assertThatThrownBy(
              () -> client.resource(config).fieldManager("test").forceConflicts().serverSideApply())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));

      client.resource(config).create();
      assertThatThrownBy(
              () -> client.resource(config).fieldManager("test").forceConflicts().serverSideApply())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
    } finally {
      server.destroy();
    }
  }
}
