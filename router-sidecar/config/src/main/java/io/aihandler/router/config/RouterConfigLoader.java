package io.aihandler.router.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a router document (YAML or JSON) into a {@link RouterConfig} and checks it whole. Unknown
 * fields are errors, so a misspelt field cannot silently fall back to a default.
 */
public final class RouterConfigLoader {

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .build();
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private RouterConfigLoader() {}

  /**
   * Builds what a first YAML parse needs ahead of it: the deserializers of the config's records,
   * which Jackson finds by reflection (most of a first parse's time), and the YAML parser's own
   * classes. Safe on another thread while a parse runs, which then uses what is ready or waits for
   * it.
   */
  public static void prepare() {
    YAML.readerFor(RouterConfig.class);
    try {
      YAML.readTree("prepared: true");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a constant YAML document always parses", e);
    }
  }

  /** Reads and checks the document in a file. */
  public static RouterConfig load(Path file) throws InvalidRouterConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidRouterConfigException(
          file.toString(), List.of("cannot read the file: " + e.getMessage()));
    }
    return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Parses and checks a document; JSON when it starts with <code>{</code>, YAML otherwise.
   *
   * @param source names the document in error messages
   */
  public static RouterConfig parse(String text, String source) throws InvalidRouterConfigException {
    if (text == null || text.isBlank()) {
      throw new InvalidRouterConfigException(source, List.of("the document is empty"));
    }
    RouterConfig config;
    try {
      ObjectMapper mapper = text.stripLeading().startsWith("{") ? JSON : YAML;
      config = mapper.readValue(text, RouterConfig.class);
    } catch (JsonMappingException e) {
      String path = e.getPath().isEmpty() ? "" : pathOf(e) + ": ";
      if (e.getCause() instanceof StreamReadException syntax) {
        throw new InvalidRouterConfigException(source, List.of(syntaxProblem(syntax)));
      }
      throw new InvalidRouterConfigException(source, List.of(path + e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new InvalidRouterConfigException(source, List.of(syntaxProblem(e)));
    }
    if (config == null) {
      throw new InvalidRouterConfigException(source, List.of("the document is empty"));
    }
    List<String> problems = RouterConfigValidator.problems(config);
    if (!problems.isEmpty()) {
      throw new InvalidRouterConfigException(source, problems);
    }
    return config;
  }

  /** Writes a document as YAML (what the operator puts in the router ConfigMap). */
  public static String toYaml(RouterConfig config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a router config always serialises", e);
    }
  }

  /** Writes a document as indented JSON. */
  public static String toJson(RouterConfig config) {
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a router config always serialises", e);
    }
  }

  private static String syntaxProblem(JsonProcessingException e) {
    String where =
        e.getLocation() == null
            ? ""
            : " (line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr()
                + ")";
    return "not valid YAML or JSON" + where + ": " + e.getOriginalMessage();
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
