package io.aihandler.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.aihandler.api.v1alpha1.Prompt;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.TaskVariable;
import io.aihandler.api.v1alpha1.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checks of a Workflow that CEL cannot express: every output schema is a valid JSON Schema
 * (draft 2020-12) that needs no remote document, and every {@code {{placeholder}}} in a prompt
 * template names a declared variable. Each problem names the task and says what to change.
 */
public final class WorkflowSpecChecks {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.*?)}}");
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Schema META_SCHEMA =
      REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

  private WorkflowSpecChecks() {}

  /** Every problem of the Workflow; empty when it is acceptable. */
  public static List<String> problems(Workflow workflow) {
    List<String> problems = new ArrayList<>();
    SidecarMemory.limitProblem(workflow).ifPresent(problems::add);
    if (workflow.getSpec() == null || workflow.getSpec().tasks() == null) {
      return problems;
    }
    for (Task task : workflow.getSpec().tasks()) {
      if (task.output() != null && task.output().schema() != null) {
        schemaProblems(task.output().schema())
            .forEach(problem -> problems.add("task " + task.name() + ": output.schema " + problem));
      }
      templateProblems(task)
          .forEach(problem -> problems.add("task " + task.name() + ": " + problem));
    }
    return problems;
  }

  static List<String> schemaProblems(JsonNode schema) {
    List<String> problems = new ArrayList<>();
    if (!schema.isObject() && !schema.isBoolean()) {
      problems.add("must be a JSON Schema object");
      return problems;
    }
    String dialect = schema.path("$schema").asText("");
    if (!dialect.isEmpty() && !dialect.startsWith("https://json-schema.org/draft/2020-12/schema")) {
      problems.add("declares $schema " + dialect + "; only draft 2020-12 is supported");
      return problems;
    }
    for (Error error : META_SCHEMA.validate(schema)) {
      problems.add(
          "is not a valid JSON Schema: "
              + error.getMessage()
              + " at "
              + error.getInstanceLocation());
    }
    remoteReferences(schema, problems);
    if (problems.isEmpty()) {
      try {
        // Validating a value forces every reference and pattern to be resolved and compiled.
        REGISTRY.getSchema(schema).validate(JsonNodeFactory.instance.objectNode());
      } catch (RuntimeException e) {
        problems.add("does not compile: " + e.getMessage());
      }
    }
    return problems;
  }

  /** The router validates offline: a schema may only refer to itself. */
  private static void remoteReferences(JsonNode node, List<String> problems) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              field -> {
                if ((field.getKey().equals("$ref") || field.getKey().equals("$dynamicRef"))
                    && field.getValue().isTextual()
                    && !field.getValue().asText().startsWith("#")) {
                  problems.add(
                      "refers to "
                          + field.getValue().asText()
                          + "; only references within the schema (#/...) are allowed, so put"
                          + " the referenced definition under $defs");
                }
                remoteReferences(field.getValue(), problems);
              });
    } else if (node.isArray()) {
      node.forEach(item -> remoteReferences(item, problems));
    }
  }

  static List<String> templateProblems(Task task) {
    Set<String> declared =
        Optional.ofNullable(task.variables()).orElse(List.of()).stream()
            .map(TaskVariable::name)
            .collect(Collectors.toSet());
    Prompt prompt = task.prompt();
    if (prompt == null) {
      return List.of();
    }
    Set<String> problems = new LinkedHashSet<>();
    for (var template :
        List.of(new String[] {"system", prompt.system()}, new String[] {"user", prompt.user()})) {
      if (template[1] == null) {
        continue;
      }
      Matcher matcher = PLACEHOLDER.matcher(template[1]);
      while (matcher.find()) {
        String name = matcher.group(1).strip();
        if (!VARIABLE.matcher(name).matches()) {
          problems.add(
              "prompt."
                  + template[0]
                  + " has the placeholder {{"
                  + matcher.group(1)
                  + "}}, which is not a variable name");
        } else if (!declared.contains(name)) {
          problems.add(
              "prompt."
                  + template[0]
                  + " uses {{"
                  + name
                  + "}} but the task declares no variable "
                  + name
                  + ": add it to variables");
        }
      }
    }
    return List.copyOf(problems);
  }
}
