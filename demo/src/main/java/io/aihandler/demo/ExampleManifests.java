package io.aihandler.demo;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The repository's {@code examples/}, as {@code kubectl apply -f examples/} would send them: every
 * document of every file, in file order. Two things the real path does elsewhere are done here: the
 * key placeholders become the demo's keys (the stand-ins accept only those), and {@code stringData}
 * is folded into {@code data}, which the real API server does on write and the embedded one does
 * not.
 */
final class ExampleManifests {

  private ExampleManifests() {}

  /**
   * The repository root: the nearest directory above the working directory holding examples/ and
   * crds/.
   */
  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("examples"))
          && Files.isDirectory(dir.resolve("crds/manifests"))) {
        return dir;
      }
    }
    throw new DemoFailure(
        "examples/ and crds/manifests/ not found above "
            + Path.of("").toAbsolutePath()
            + ": run the demo from the repository (bash demo/run.sh)");
  }

  /** The files of examples/, sorted. */
  static List<Path> files(Path root) {
    try (Stream<Path> files = Files.list(root.resolve("examples"))) {
      return files
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads every object, with the demo keys in the credential Secrets. */
  static List<HasMetadata> load(KubernetesClient client, List<Path> files, DemoKeys keys) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        for (HasMetadata object : client.load(in).items()) {
          if (object instanceof Secret secret) {
            objects.add(withDemoKeys(secret, keys));
          } else {
            objects.add(object);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      } catch (RuntimeException e) {
        throw new DemoFailure(
            file.getFileName() + " is not valid Kubernetes YAML: " + e.getMessage(), e);
      }
    }
    return objects;
  }

  private static Secret withDemoKeys(Secret secret, DemoKeys keys) {
    Map<String, String> data =
        new LinkedHashMap<>(secret.getData() == null ? Map.of() : secret.getData());
    if (secret.getStringData() != null) {
      secret
          .getStringData()
          .forEach(
              (key, value) -> {
                String actual =
                    value.startsWith("REPLACE_WITH_")
                        ? keys.forSecret(secret.getMetadata().getName())
                        : value;
                data.put(
                    key,
                    Base64.getEncoder().encodeToString(actual.getBytes(StandardCharsets.UTF_8)));
              });
    }
    secret.setStringData(null);
    secret.setData(data);
    return secret;
  }
}
