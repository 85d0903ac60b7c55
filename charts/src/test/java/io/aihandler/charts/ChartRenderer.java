package io.aihandler.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.aihandler.api.testing.Manifests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Renders {@code charts/aihandler} with the Helm library embedded by helm-java, the way {@code helm
 * template} does, and hands back the objects as JSON trees.
 */
final class ChartRenderer {

  static final String RELEASE = "aihandler";
  static final String NAMESPACE = "aihandler-system";

  /** The chart folder, found from the module's or the repository's working directory. */
  static Path chartDirectory() {
    return Manifests.repositoryRoot().resolve("charts/aihandler");
  }

  /** {@code helm lint --strict} of the chart with its default values. */
  static LintResult lint() {
    return new Helm(chartDirectory()).lint().strict().call();
  }

  /** The chart rendered with {@code --set} values (dotted keys, as on the command line). */
  static Rendered render(Map<String, Object> values) {
    TemplateCommand command =
        new Helm(chartDirectory())
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion("1.30.9");
    values.forEach(command::set);
    return new Rendered(parse(command.call()));
  }

  /**
   * The hooks of a release ({@code helm test} pods and what they need) as {@code helm template}
   * would print them. helm-java's template leaves hooks out, so they are rendered from a copy of
   * the chart in which the hook annotation is renamed (and renamed back in the result): the same
   * templates, values and helpers, rendered as plain objects.
   */
  static List<JsonNode> renderHooks(Map<String, Object> values) {
    TemplateCommand command =
        new Helm(hookRenderingCopy())
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion("1.30.9")
            .skipCrds();
    values.forEach(command::set);
    List<JsonNode> hooks = new ArrayList<>();
    for (JsonNode object : parse(command.call())) {
      JsonNode annotations = object.path("metadata").path("annotations");
      if (annotations.has(RENAMED_HOOK)) {
        ObjectNode renamed = (ObjectNode) annotations;
        renamed.set(HOOK, renamed.remove(RENAMED_HOOK));
        hooks.add(object);
      }
    }
    return hooks;
  }

  static Rendered render() {
    return render(Map.of());
  }

  private static final String HOOK = "helm.sh/hook";
  private static final String RENAMED_HOOK = "rendered-by-test.aihandler.io/hook";
  private static Path hookRenderingCopy;

  private static synchronized Path hookRenderingCopy() {
    if (hookRenderingCopy == null) {
      try {
        Path copy = Files.createTempDirectory("aihandler-chart-hooks").resolve("aihandler");
        Path source = chartDirectory();
        try (Stream<Path> files = Files.walk(source)) {
          for (Path file : files.toList()) {
            Path target = copy.resolve(source.relativize(file).toString());
            if (Files.isDirectory(file)) {
              Files.createDirectories(target);
            } else if (source.relativize(file).startsWith("templates")) {
              Files.writeString(
                  target,
                  Files.readString(file)
                      .replace("\"" + HOOK + "\"", "\"" + RENAMED_HOOK + "\"")
                      .replace(HOOK + ":", RENAMED_HOOK + ":"));
            } else {
              Files.copy(file, target);
            }
          }
        }
        hookRenderingCopy = copy;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return hookRenderingCopy;
  }

  /** Splits {@code helm template} output into its documents. */
  static List<JsonNode> parse(String manifests) {
    List<JsonNode> objects = new ArrayList<>();
    for (String document : manifests.split("(?m)^---\\s*$")) {
      if (document
          .lines()
          .allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
        continue;
      }
      JsonNode object = Manifests.parse(document);
      if (object != null && !object.isNull() && !object.isEmpty()) {
        objects.add(object);
      }
    }
    return objects;
  }

  /** The objects of one rendering. */
  record Rendered(List<JsonNode> objects) {

    List<JsonNode> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
      return ofKind(kind).stream()
          .filter(o -> name.equals(o.path("metadata").path("name").asText()))
          .findFirst();
    }

    JsonNode single(String kind) {
      List<JsonNode> found = ofKind(kind);
      if (found.size() != 1) {
        throw new AssertionError(
            "expected one " + kind + ", found " + found.size() + " in " + kinds());
      }
      return found.getFirst();
    }

    /** Kinds in rendering order, e.g. to explain a failed expectation. */
    List<String> kinds() {
      return objects.stream()
          .map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("name").asText())
          .toList();
    }

    /**
     * The operator container's environment as name -> value (downward-API entries map to their
     * field path).
     */
    Map<String, String> operatorEnvironment() {
      Map<String, String> environment = new LinkedHashMap<>();
      for (JsonNode variable : operatorContainer().path("env")) {
        JsonNode fieldRef = variable.path("valueFrom").path("fieldRef");
        environment.put(
            variable.path("name").asText(),
            fieldRef.isMissingNode()
                ? variable.path("value").asText()
                : "fieldRef:" + fieldRef.path("fieldPath").asText());
      }
      return environment;
    }

    JsonNode operatorContainer() {
      return single("Deployment")
          .path("spec")
          .path("template")
          .path("spec")
          .path("containers")
          .get(0);
    }
  }
}
