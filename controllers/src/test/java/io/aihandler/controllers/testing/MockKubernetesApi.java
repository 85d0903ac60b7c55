package io.aihandler.controllers.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Kubernetes API for operator tests without a cluster: fabric8's mock server in CRUD mode with
 * {@link ServerSideApplyDispatcher} in front, and this project's CRDs installed from {@code
 * crds/manifests} (which is how the mock learns their status subresource). It stores, watches and
 * versions objects; it runs no controllers and no garbage collector, so tests write Deployment and
 * pod status themselves.
 */
public final class MockKubernetesApi implements AutoCloseable {

  private final ServerSideApplyDispatcher dispatcher;
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final TokenReviewStandIn tokens;

  private MockKubernetesApi() {
    this.dispatcher = new ServerSideApplyDispatcher(new KubernetesCrudDispatcher());
    this.tokens = new TokenReviewStandIn(new AccessReviewStandIn(dispatcher));
    this.server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), tokens, false);
    server.init();
    this.client = server.createClient();
  }

  /** Starts the server and installs every CRD of {@code crds/manifests}. */
  public static MockKubernetesApi startWithCrds() {
    MockKubernetesApi api = new MockKubernetesApi();
    api.installCrds(crdManifests());
    return api;
  }

  /** The TokenReviews this server answers: tests mint ServiceAccount tokens here. */
  public TokenReviewStandIn tokens() {
    return tokens;
  }

  /** A client of this server. */
  public KubernetesClient client() {
    return client;
  }

  /** Every write (POST, PUT, PATCH, DELETE) the server received so far, oldest first. */
  public List<ServerSideApplyDispatcher.Write> writes() {
    return dispatcher.writes();
  }

  /** Applies refused because their resourceVersion was no longer the stored one (409). */
  public int staleApplies() {
    return dispatcher.staleApplies();
  }

  /**
   * Refuses writes as {@link ServerSideApplyDispatcher#refuse} says, until {@link #acceptAll()}.
   */
  public void refuse(ServerSideApplyDispatcher.Refusal refusal) {
    dispatcher.refuse(refusal);
  }

  /**
   * Refuses reads as {@link
   * ServerSideApplyDispatcher#refuse(ServerSideApplyDispatcher.ReadRefusal)} says.
   */
  public void refuse(ServerSideApplyDispatcher.ReadRefusal refusal) {
    dispatcher.refuse(refusal);
  }

  /** Takes back every refusal. */
  public void acceptAll() {
    dispatcher.acceptAll();
  }

  /** The generated CRD files of this repository. */
  public static List<Path> crdManifests() {
    for (Path root = Path.of("").toAbsolutePath(); root != null; root = root.getParent()) {
      Path manifests = root.resolve("crds/manifests");
      if (Files.isDirectory(manifests)) {
        try (Stream<Path> files = Files.list(manifests)) {
          return files
              .filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
              .sorted()
              .toList();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException(
        "crds/manifests not found above " + Path.of("").toAbsolutePath());
  }

  private void installCrds(List<Path> files) {
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        CustomResourceDefinition crd =
            client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // fabric8's server waits a fixed 10 s for its connections to drain; on a loaded machine the
      // watches of an operator that has just stopped can take longer. The server is stopped either
      // way, and the next test starts its own on a new port, so a slow drain fails no behaviour.
      if (!String.valueOf(e.getMessage()).startsWith("Unable to close MockWebServer")) {
        throw e;
      }
    }
  }
}
