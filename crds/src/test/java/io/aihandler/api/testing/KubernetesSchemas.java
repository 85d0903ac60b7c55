package io.aihandler.api.testing;

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
import org.junit.jupiter.api.Assumptions;

/**
 * Validates built-in Kubernetes objects against the strict (no unknown fields) JSON schemas of
 * Kubernetes 1.30 kept in {@code ../shared/k8s-schemas/v1.30.9-strict}. The folder lives outside
 * this repository; tests call {@link #locate()} and skip with a plain message when it is absent.
 */
public final class KubernetesSchemas {

  /** Where the schemas live, relative to the repository root. */
  public static final String RELATIVE_LOCATION = "../shared/k8s-schemas/v1.30.9-strict";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final Path directory;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private KubernetesSchemas(Path directory) {
    this.directory = directory;
  }

  /**
   * Finds the schema folder from the working directory of a module or of the repository root. Empty
   * when it is not there.
   */
  public static Optional<KubernetesSchemas> locate() {
    Path cwd = Path.of("").toAbsolutePath();
    for (Path root = cwd; root != null; root = root.getParent()) {
      Path candidate = root.resolve(RELATIVE_LOCATION).normalize();
      if (Files.isDirectory(candidate) && Files.exists(root.resolve("pom.xml"))) {
        return Optional.of(new KubernetesSchemas(candidate));
      }
    }
    return Optional.empty();
  }

  /** The schemas, or a skipped test that says why when they are missing. */
  public static KubernetesSchemas required() {
    Optional<KubernetesSchemas> schemas = locate();
    if (schemas.isEmpty()) {
      System.out.println(missingMessage());
    }
    Assumptions.assumeTrue(schemas.isPresent(), KubernetesSchemas::missingMessage);
    return schemas.orElseThrow();
  }

  /** Errors of one built object (e.g. from a desired-state builder), empty when it is valid. */
  public List<String> validate(HasMetadata object) {
    JsonNode tree = JSON.valueToTree(SERIALIZATION.convertValue(object, Map.class));
    return validate(tree);
  }

  /** The message tests print when they skip for want of the schemas. */
  public static String missingMessage() {
    return "Kubernetes schemas not found at "
        + RELATIVE_LOCATION
        + " (beside the repository): skipping validation of built-in objects";
  }

  /** Errors of one built-in object, empty when it is valid. */
  public List<String> validate(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    String kind = object.path("kind").asText();
    Schema schema = schemas.computeIfAbsent(apiVersion + "/" + kind, key -> load(apiVersion, kind));
    return schema.validate(object).stream().map(error -> kind + " " + error).toList();
  }

  /** Whether a schema exists for this apiVersion and kind. */
  public boolean knows(String apiVersion, String kind) {
    return Files.exists(schemaFile(apiVersion, kind));
  }

  private Schema load(String apiVersion, String kind) {
    Path file = schemaFile(apiVersion, kind);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(
          "no Kubernetes schema for " + apiVersion + " " + kind + " (" + file + ")");
    }
    try {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
          .getSchema(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code apps/v1 Deployment} is {@code deployment-apps-v1.json}; {@code v1 Secret} is {@code
   * secret-v1.json}.
   */
  private Path schemaFile(String apiVersion, String kind) {
    String name = kind.toLowerCase(Locale.ROOT);
    int slash = apiVersion.indexOf('/');
    if (slash < 0) {
      return directory.resolve(name + "-" + apiVersion + ".json");
    }
    String group = apiVersion.substring(0, slash);
    String groupPrefix = group.contains(".") ? group.substring(0, group.indexOf('.')) : group;
    return directory.resolve(
        name + "-" + groupPrefix + "-" + apiVersion.substring(slash + 1) + ".json");
  }
}
