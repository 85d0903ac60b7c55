package io.aihandler.router.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.aihandler.router.runtime.Json;
import java.util.List;

/**
 * Checks a model's answer against a JSON Schema (draft 2020-12). Compiled once per schema and
 * thread-safe.
 */
public final class OutputValidator {

  private static final ObjectMapper MAPPER = Json.mapper();
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  /**
   * The verdict on one answer.
   *
   * @param value the parsed answer, or null when it is not JSON
   * @param errors what is wrong, empty when valid
   */
  public record Verdict(JsonNode value, List<String> errors) {
    public boolean valid() {
      return errors.isEmpty();
    }
  }

  private final JsonNode schemaNode;
  private final Schema schema;

  /**
   * Compiles a schema.
   *
   * @throws IllegalArgumentException when it is not a usable schema
   */
  public OutputValidator(JsonNode schemaNode) {
    this.schemaNode = schemaNode;
    try {
      this.schema = REGISTRY.getSchema(SchemaLocation.of("urn:aihandler:output"), schemaNode);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a usable JSON Schema: " + e.getMessage(), e);
    }
  }

  /** The schema as written. */
  public JsonNode schemaNode() {
    return schemaNode;
  }

  /** Parses and validates answer text (one JSON value, optionally inside a Markdown fence). */
  public Verdict check(String text) {
    if (text == null || text.isBlank()) {
      return new Verdict(null, List.of("the answer is empty; one JSON value was expected"));
    }
    JsonNode value;
    try {
      value = MAPPER.readTree(unfenced(text));
    } catch (Exception e) {
      return new Verdict(null, List.of("the answer is not valid JSON"));
    }
    if (value == null || value.isMissingNode()) {
      return new Verdict(null, List.of("the answer is not valid JSON"));
    }
    return check(value);
  }

  /** Validates a parsed value. */
  public Verdict check(JsonNode value) {
    List<Error> errors = schema.validate(value);
    return new Verdict(
        value, errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList());
  }

  private static String unfenced(String text) {
    String t = text.strip();
    if (t.startsWith("```")) {
      int firstLine = t.indexOf('\n');
      int close = t.lastIndexOf("```");
      if (firstLine > 0 && close > firstLine) {
        return t.substring(firstLine + 1, close);
      }
    }
    return t;
  }
}
