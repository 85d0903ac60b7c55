package io.aihandler.router.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI model objects of {@code /v1/models}: every name a request's {@code model} may use,
 * which are the tasks, the routes and the backends. {@code owned_by} says which of the three a name
 * is, so an app listing models can tell a task from a raw backend.
 */
final class ModelObjects {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ModelObjects() {}

  /** The list object, tasks first, then routes, then backends. */
  static ObjectNode list(RouterConfig config) {
    ObjectNode out = JSON.objectNode();
    out.put("object", "list");
    out.putArray("data").addAll(all(config));
    return out;
  }

  /**
   * The model object for a name, looked up in the order requests resolve names: task, route,
   * backend.
   *
   * @throws ApiException 404 {@code model_not_found} in OpenAI's envelope when nothing has the name
   */
  static ObjectNode one(RouterConfig config, String id) {
    return all(config).stream()
        .filter(m -> m.path("id").asText().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new ApiException(
                    404,
                    "invalid_request_error",
                    "model_not_found",
                    "model",
                    "The model '"
                        + AccessLogValue.of(id)
                        + "' does not exist: no task, route or backend has"
                        + " that name; GET /v1/models lists them"));
  }

  private static List<ObjectNode> all(RouterConfig config) {
    List<ObjectNode> out = new ArrayList<>();
    for (Task t : config.tasks()) {
      out.add(model(t.name(), "task"));
    }
    for (Route r : config.routes()) {
      out.add(model(r.name(), "route"));
    }
    for (Backend b : config.backends()) {
      out.add(model(b.name(), "backend"));
    }
    return out;
  }

  private static ObjectNode model(String id, String kind) {
    return JSON.objectNode()
        .put("id", id)
        .put("object", "model")
        .put("created", 0)
        .put("owned_by", "aihandler:" + kind);
  }
}
