package io.aihandler.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.api.testing.Manifests;
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
 * Validates the Prometheus Operator's objects (ServiceMonitor, PodMonitor, PrometheusRule) against
 * the {@code openAPIV3Schema} of their upstream CRDs kept beside the Kubernetes schemas in {@code
 * thirdparty/}, made strict the way {@code kubectl apply --validate=strict} is: every object schema
 * that lists properties refuses any other.
 */
final class ThirdPartySchemas {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private ThirdPartySchemas(Path directory) {
    this.directory = directory;
  }

  /** The folder beside the Kubernetes schemas, empty when it is not there. */
  static Optional<ThirdPartySchemas> locate() {
    Path folder =
        Manifests.repositoryRoot()
            .resolve(KubernetesSchemas.RELATIVE_LOCATION)
            .resolveSibling("thirdparty")
            .normalize();
    return Files.isDirectory(folder)
        ? Optional.of(new ThirdPartySchemas(folder))
        : Optional.empty();
  }

  /** Errors of one object, empty when it is valid; an unknown kind is an error. */
  List<String> validate(JsonNode object) {
    String kind = object.path("kind").asText();
    String apiVersion = object.path("apiVersion").asText();
    Schema schema = schemas.computeIfAbsent(apiVersion + "/" + kind, k -> load(apiVersion, kind));
    return schema.validate(object).stream().map(error -> kind + " " + error).toList();
  }

  /** {@code monitoring.coreos.com/v1 PodMonitor} is {@code podmonitor-monitoring-v1.json}. */
  private Schema load(String apiVersion, String kind) {
    String group = apiVersion.substring(0, apiVersion.indexOf('/'));
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    Path file =
        directory.resolve(
            kind.toLowerCase(Locale.ROOT)
                + "-"
                + group.substring(0, group.indexOf('.'))
                + "-"
                + version
                + ".json");
    try {
      JsonNode schema = JSON.readTree(file.toFile());
      strict(schema);
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(schema);
    } catch (IOException e) {
      throw new UncheckedIOException("no schema for " + apiVersion + " " + kind, e);
    }
  }

  /** Sets {@code additionalProperties: false} on every object schema that lists properties. */
  private static void strict(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("properties") && !object.has("additionalProperties")) {
        object.put("additionalProperties", false);
      }
      object.forEach(ThirdPartySchemas::strict);
    } else if (node.isArray()) {
      node.forEach(ThirdPartySchemas::strict);
    }
  }
}
