package io.aihandler.router.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.config.Task;
import io.aihandler.router.config.TaskParameters;
import io.aihandler.router.config.TaskVariable;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.routing.RoutedCall;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.RouterRuntime;
import io.aihandler.router.runtime.TaskRuntime;
import io.aihandler.router.validation.OutputValidator;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns an API request into a {@link RoutedCall}: finds what {@code model} names (a task, then a
 * route, then a backend), applies the task's prompt, parameters and schema, and classifies the
 * request's data.
 */
final class CallResolver {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private CallResolver() {}

  /**
   * A chat-completions request.
   *
   * @param dataClassHeaders every value of the data-class header, empty when there is none
   */
  static RoutedCall forChat(RouterRuntime rt, ObjectNode body, List<String> dataClassHeaders) {
    JsonNode model = body.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw ApiException.badRequest(
          "missing_required_parameter",
          "model",
          "'model' is required: a task, route or backend name");
    }
    String name = model.asText();
    TaskRuntime task = rt.task(name);
    // Template variables are the router's, never the provider's: taken off before forwarding.
    JsonNode variables = body.remove("variables");
    if (task == null && variables != null) {
      throw ApiException.badRequest(
          "invalid_value",
          "variables",
          "'variables' fills a task's prompt templates, and model \"" + name + "\" is not a task");
    }
    JsonNode messages = body.get("messages");
    boolean templatedTurn =
        task != null && task.config().prompt() != null && task.config().prompt().user() != null;
    if (messages == null && templatedTurn) {
      messages = body.putArray("messages");
    }
    if (messages == null || !messages.isArray() || (messages.isEmpty() && !templatedTurn)) {
      throw ApiException.badRequest(
          "missing_required_parameter", "messages", "'messages' must be a non-empty array");
    }
    for (JsonNode m : messages) {
      if (!m.isObject() || !m.path("role").isTextual()) {
        throw ApiException.badRequest("invalid_value", "messages", "every message needs a 'role'");
      }
    }
    if (body.has("stream") && !body.get("stream").isBoolean()) {
      throw ApiException.badRequest("invalid_type", "stream", "'stream' must be a boolean");
    }
    Route route;
    if (task != null) {
      route = rt.config().route(task.config().route()).orElseThrow();
      applyTask(body, task.config(), variables);
    } else {
      route = resolveRoute(rt, name);
    }
    OutputValidator validator = task == null ? null : task.validator();
    String schemaName = task == null ? null : task.config().name();
    JsonNode format = body.path("response_format");
    if (validator == null && "json_schema".equals(format.path("type").asText())) {
      JsonNode schema = format.path("json_schema").path("schema");
      if (!schema.isObject()) {
        throw ApiException.badRequest(
            "invalid_value",
            "response_format",
            "response_format.json_schema.schema must be an object");
      }
      try {
        validator = new OutputValidator(schema);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("invalid_value", "response_format", e.getMessage());
      }
      schemaName = format.path("json_schema").path("name").asText("output");
    }
    int repairs =
        task != null && task.config().output() != null
            ? task.config().output().maxRepairAttempts()
            : 1;
    DataPolicy.Decision decision =
        rt.dataPolicy()
            .classify(task == null ? null : task.config().dataClass(), dataClassHeaders, body);
    boolean wantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
    return new RoutedCall(
        "chat",
        name,
        task == null ? null : task.config().name(),
        route,
        body,
        validator,
        schemaName,
        repairs,
        decision,
        timeout(task == null ? null : task.config(), route),
        wantsUsage);
  }

  /**
   * A {@code POST /v1/tasks/{task}} request: variables in, a chat request out.
   *
   * @param dataClassHeaders every value of the data-class header, empty when there is none
   */
  static RoutedCall forTask(
      RouterRuntime rt, String taskName, ObjectNode body, List<String> dataClassHeaders) {
    TaskRuntime task = rt.task(taskName);
    if (task == null) {
      throw new ApiException(
          404, "invalid_request_error", "task_not_found", "task", "no task \"" + taskName + "\"");
    }
    Task t = task.config();
    for (Iterator<String> fields = body.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!field.equals("variables") && !field.equals("messages")) {
        // The task says how its model is called; a field it would not use is refused, not lost.
        throw ApiException.badRequest(
            "unsupported_parameter",
            field,
            "a task request takes 'variables' (or 'messages'); task "
                + t.name()
                + " sets everything else, so '"
                + AccessLogValue.of(field)
                + "' is not accepted");
      }
    }
    ObjectNode request = JSON.objectNode();
    request.put("model", t.name());
    if (t.prompt() != null) {
      // The task's templates make the messages; forChat renders them from the variables.
      request.putArray("messages");
      if (body.has("variables")) {
        request.set("variables", body.get("variables"));
      }
    } else {
      JsonNode messages = body.get("messages");
      if (messages == null || !messages.isArray() || messages.isEmpty()) {
        throw ApiException.badRequest(
            "missing_required_parameter",
            "messages",
            "task " + t.name() + " has no prompt template: send 'messages'");
      }
      request.set("messages", messages);
    }
    return forChat(rt, request, dataClassHeaders).withEndpoint("task").withClientWantsUsage(false);
  }

  /** An embeddings request, resolved: the call to route and what to ask the backends for. */
  record Embedding(RoutedCall call, EmbeddingRequestReader.Read read) {}

  /**
   * A {@code POST /v1/embeddings} request. {@code model} names a task, a route or a backend as for
   * chat; a task gives its route, data class and timeout, and must be one without prompt templates
   * or an output schema, which an embedding cannot honour.
   *
   * @param dataClassHeaders every value of the data-class header, empty when there is none
   */
  static Embedding forEmbeddings(RouterRuntime rt, ObjectNode body, List<String> dataClassHeaders) {
    JsonNode model = body.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw ApiException.badRequest(
          "missing_required_parameter",
          "model",
          "'model' is required: a task, route or backend name");
    }
    String name = model.asText();
    EmbeddingRequestReader.Read read = EmbeddingRequestReader.read(body);
    TaskRuntime task = rt.task(name);
    Route route;
    if (task != null) {
      Task t = task.config();
      if (t.prompt() != null || t.output() != null) {
        throw ApiException.badRequest(
            "task_not_embeddable",
            "model",
            "task "
                + t.name()
                + " has "
                + (t.prompt() != null ? "prompt templates" : "an output schema")
                + ", which embeddings cannot honour; name a task without them, a route or a backend");
      }
      route = rt.config().route(t.route()).orElseThrow();
    } else {
      route = resolveRoute(rt, name);
    }
    // Token ids cannot be read by any detector: they get the unscannable class.
    DataPolicy.Decision decision =
        rt.dataPolicy()
            .classify(
                task == null ? null : task.config().dataClass(),
                dataClassHeaders,
                body,
                read.request().isTokens());
    RoutedCall call =
        new RoutedCall(
            "embeddings",
            name,
            task == null ? null : task.config().name(),
            route,
            body,
            null,
            null,
            0,
            decision,
            timeout(task == null ? null : task.config(), route),
            false);
    return new Embedding(call, read);
  }

  private static Map<String, JsonNode> variables(Task t, JsonNode given) {
    if (given != null && !given.isNull() && !given.isObject()) {
      throw ApiException.badRequest("invalid_type", "variables", "'variables' must be an object");
    }
    Map<String, JsonNode> vars = new HashMap<>();
    if (given != null && given.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = given.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (t.variables().stream().noneMatch(v -> v.name().equals(e.getKey()))) {
          throw ApiException.badRequest(
              "unknown_variable",
              "variables." + e.getKey(),
              "task "
                  + t.name()
                  + " has no variable \""
                  + e.getKey()
                  + "\"; it has "
                  + t.variables().stream().map(TaskVariable::name).toList());
        }
        vars.put(e.getKey(), e.getValue());
      }
    }
    List<String> missing =
        t.variables().stream()
            .filter(
                v -> v.required() && (!vars.containsKey(v.name()) || vars.get(v.name()).isNull()))
            .map(TaskVariable::name)
            .toList();
    if (!missing.isEmpty()) {
      throw ApiException.badRequest(
          "missing_required_parameter",
          "variables",
          "task "
              + t.name()
              + " fills its prompt from variables: send "
              + missing
              + " in the request's 'variables' object");
    }
    return vars;
  }

  /**
   * Applies a task to a chat request: its system prompt (unless the request has its own), its user
   * prompt after the request's messages, both rendered from the variables, and its parameters as
   * defaults.
   */
  private static void applyTask(ObjectNode body, Task t, JsonNode given) {
    Map<String, JsonNode> vars =
        given == null && t.variables().isEmpty() ? Map.of() : variables(t, given);
    ArrayNode messages = (ArrayNode) body.get("messages");
    if (t.prompt() != null && t.prompt().system() != null) {
      boolean hasSystem = false;
      for (JsonNode m : messages) {
        String role = m.path("role").asText();
        hasSystem |= role.equals("system") || role.equals("developer");
      }
      if (!hasSystem) {
        messages.insert(
            0,
            JSON.objectNode()
                .put("role", "system")
                .put("content", PromptTemplate.render(t.prompt().system(), vars)));
      }
    }
    if (t.prompt() != null && t.prompt().user() != null) {
      messages
          .addObject()
          .put("role", "user")
          .put("content", PromptTemplate.render(t.prompt().user(), vars));
    }
    TaskParameters p = t.parameters();
    if (p != null) {
      if (p.temperature() != null && !body.has("temperature")) {
        body.put("temperature", p.temperature());
      }
      if (p.topP() != null && !body.has("top_p")) {
        body.put("top_p", p.topP());
      }
      if (p.maxTokens() != null && !body.has("max_tokens") && !body.has("max_completion_tokens")) {
        body.put("max_tokens", p.maxTokens());
      }
    }
  }

  private static Route resolveRoute(RouterRuntime rt, String name) {
    var route = rt.config().route(name);
    if (route.isPresent()) {
      return route.get();
    }
    BackendRuntime b = rt.backend(name);
    if (b != null) {
      // A backend named directly: a route of its own, with default resilience settings.
      return new Route(
          name,
          List.of(new RouteTarget(name, 1, 0)),
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null);
    }
    throw new ApiException(
        404,
        "invalid_request_error",
        "model_not_found",
        "model",
        "model \"" + name + "\" is not a task, route or backend of this router");
  }

  private static Duration timeout(Task task, Route route) {
    Duration t = task == null ? null : task.timeoutDuration();
    return t != null ? t : route.timeoutDuration();
  }
}
