package io.aihandler.controllers.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates built-in Kubernetes objects against the strict JSON schemas of Kubernetes 1.30 in
 * {@code ../shared/k8s-schemas/v1.30.9-strict} (unknown fields are errors, so a misspelt field
 * fails here instead of being dropped by the API server). The folder lives beside the
 * repository; {@link #required()} skips the calling test with a plain message when it is absent.
 */
public final class StrictKubernetesSchemas {

  /** Where the schemas live, relative to the repository root. */
  public static final String RELATIVE_LOCATION = "../shared/k8s-schemas/v1.30.9-strict";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final Path directory;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private StrictKubernetesSchemas(Path directory) {
    this.directory = directory;
  }

  /** The schemas, found upwards from the working directory; empty when they are not there. */
  public static Optional<StrictKubernetesSchemas> locate() {
    for (Path root = Path.of("").toAbsolutePath(); root != null; root = root.getParent()) {
      Path candidate = root.resolve(RELATIVE_LOCATION).normalize();
      if (Files.exists(root.resolve("pom.xml")) && Files.isDirectory(candidate)) {
        return Optional.of(new StrictKubernetesSchemas(candidate));
      }
    }
    return Optional.empty();
  }

  /** The schemas, or a skipped test saying why when they are missing. */
  public static StrictKubernetesSchemas required() {
    Optional<StrictKubernetesSchemas> schemas = locate();
    assumeTrue(
        schemas.isPresent(),
        "Kubernetes schemas not found at "
            + RELATIVE_LOCATION
            + " beside the repository: skipping strict validation of built objects");
    return schemas.orElseThrow();
  }

  /** Errors of one object, each prefixed with its kind and name; empty when it is valid. */
  public List<String> errors(HasMetadata object) {
    JsonNode tree = JSON.valueToTree(SERIALIZATION.convertValue(object, Map.class));
    return errors(tree);
  }

  /** Errors of one object given as JSON. */
  public List<String> errors(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    String kind = object.path("kind").asText();
    String name = object.at("/metadata/name").asText();
    Schema schema = schemas.computeIfAbsent(apiVersion + "/" + kind, key -> load(apiVersion, kind));
    return schema.validate(object).stream().map(error -> kind + "/" + name + ": " + error).toList();
  }

  private Schema load(String apiVersion, String kind) {
    Path file = schemaFile(apiVersion, kind);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no Kubernetes schema for " + apiVersion + " " + kind + " at " + file);
    }
    try {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code apps/v1 Deployment} is {@code deployment-apps-v1.json}; {@code v1 Service} is {@code service-v1.json}. */
  private Path schemaFile(String apiVersion, String kind) {
    String name = kind.toLowerCase(Locale.ROOT);
    int slash = apiVersion.indexOf('/');
    if (slash < 0) {
      return directory.resolve(name + "-" + apiVersion + ".json");
    }
    String group = apiVersion.substring(0, slash);
    String groupPrefix = group.contains(".") ? group.substring(0, group.indexOf('.')) : group;
    return directory.resolve(name + "-" + groupPrefix + "-" + apiVersion.substring(slash + 1) + ".json");
  }
}
