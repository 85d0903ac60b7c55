package io.aihandler.controllers.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Puts server-side apply in front of fabric8's CRUD mock API server, which answers apply patches
 * with 415. An apply of a missing object creates it; an apply of an existing one is a three-way
 * merge per field manager: the applied fields replace the stored ones, fields this manager applied
 * before and no longer applies are removed, everything else (other managers' fields, status) is
 * kept. Lists are replaced whole, which is what SSA does for a list one manager owns, except {@code
 * conditions}, which the CRDs declare a map keyed by {@code type}: there each manager's conditions
 * are merged by type, and a type this manager applied before and no longer applies is removed, so
 * two writers of different conditions keep each other's.
 *
 * <p>Not modelled: managedFields, conflicts between managers, other merge keys. Drop this class
 * when {@code StockMockServerRejectsServerSideApplyTest} starts failing.
 *
 * <p>It also records every write (POST, PUT, PATCH, DELETE) so tests can count API writes, and can
 * refuse chosen writes the way an API server refuses an invalid object (422 with the offending
 * field), for tests of how the operator reports a failure.
 */
public final class ServerSideApplyDispatcher extends Dispatcher {

  /** One write request the API server received. */
  public record Write(String method, String path) {}

  /**
   * Writes whose path contains {@code pathFragment} are answered 422 Invalid naming {@code field}.
   */
  public record Refusal(String pathFragment, String field, String message) {}

  /** Reads of exactly {@code path} are answered 403 Forbidden, as RBAC would. */
  public record ReadRefusal(String path) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Set<String> WRITE_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");

  private final KubernetesCrudDispatcher crud;
  private final Map<String, JsonNode> lastApplied = new ConcurrentHashMap<>();
  private final List<Write> writes = new CopyOnWriteArrayList<>();
  private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
  private final List<ReadRefusal> readRefusals = new CopyOnWriteArrayList<>();
  private final AtomicInteger staleApplies = new AtomicInteger();

  public ServerSideApplyDispatcher(KubernetesCrudDispatcher crud) {
    this.crud = crud;
  }

  /** Every write so far, oldest first. */
  public List<Write> writes() {
    return List.copyOf(writes);
  }

  /**
   * Applies refused with 409 because they named a resourceVersion that is no longer the stored one.
   */
  public int staleApplies() {
    return staleApplies.get();
  }

  /** Refuses every later write matching {@code refusal}, until {@link #acceptAll()}. */
  public void refuse(Refusal refusal) {
    refusals.add(refusal);
  }

  /** Refuses every later GET matching {@code refusal}, until {@link #acceptAll()}. */
  public void refuse(ReadRefusal refusal) {
    readRefusals.add(refusal);
  }

  /** Takes back every refusal. */
  public void acceptAll() {
    refusals.clear();
    readRefusals.clear();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    if (WRITE_METHODS.contains(method)) {
      writes.add(new Write(method, request.getPath()));
      for (Refusal refusal : refusals) {
        if (request.getPath().contains(refusal.pathFragment())) {
          return invalid(refusal);
        }
      }
    }
    if ("GET".equals(method)) {
      String path = request.getPath().split("\\?", 2)[0];
      for (ReadRefusal refusal : readRefusals) {
        if (path.equals(refusal.path())) {
          return status(403, "Forbidden", "the server does not allow this request");
        }
      }
    }
    String contentType = request.getHeader("Content-Type");
    if ("PATCH".equals(method)
        && contentType != null
        && contentType.startsWith("application/apply-patch")) {
      synchronized (this) {
        return apply(request);
      }
    }
    return crud.dispatch(request);
  }

  private MockResponse apply(RecordedRequest request) {
    String fullPath = request.getPath();
    int query = fullPath.indexOf('?');
    String path = query < 0 ? fullPath : fullPath.substring(0, query);
    String fieldManager =
        queryParameter(query < 0 ? "" : fullPath.substring(query + 1), "fieldManager");
    if (fieldManager == null) {
      return status(400, "BadRequest", "fieldManager is required for apply requests");
    }
    JsonNode applied;
    try {
      applied = YAML.readTree(request.getBody().getBytes());
    } catch (IOException e) {
      return status(400, "BadRequest", "apply body is not YAML or JSON: " + e.getMessage());
    }
    if (!(applied instanceof ObjectNode appliedObject)) {
      return status(400, "BadRequest", "apply body must be an object");
    }
    if (appliedObject.get("metadata") instanceof ObjectNode metadata) {
      metadata.remove("managedFields");
    }

    boolean statusSubresource = path.endsWith("/status");
    String objectPath =
        statusSubresource ? path.substring(0, path.length() - "/status".length()) : path;
    String key = path + "|" + fieldManager;
    MockResponse current = crud.handleGet(objectPath);

    if (current.code() == 404) {
      if (statusSubresource) {
        return current;
      }
      String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
      MockResponse created = crud.dispatch(forward(HttpMethod.POST, collection, appliedObject));
      if (created.code() < 300) {
        lastApplied.put(key, appliedObject);
      }
      return created;
    }
    JsonNode stored;
    try {
      stored = JSON.readTree(current.getBody().getBytes());
    } catch (IOException e) {
      return status(500, "InternalError", "stored object unreadable: " + e.getMessage());
    }
    String appliedVersion = appliedObject.at("/metadata/resourceVersion").asText("");
    String storedVersion = stored.at("/metadata/resourceVersion").asText("");
    if (!appliedVersion.isEmpty() && !appliedVersion.equals(storedVersion)) {
      staleApplies.incrementAndGet();
      return status(
          409,
          "Conflict",
          "the object has been modified; please apply your changes to the latest version");
    }

    ObjectNode merged = (ObjectNode) stored.deepCopy();
    JsonNode previous = lastApplied.get(key);
    if (statusSubresource) {
      // An apply to /status changes the status only, as on a real API server.
      JsonNode appliedStatus = appliedObject.path("status");
      JsonNode previousStatus = previous == null ? null : previous.get("status");
      merged.set("status", threeWayMerge(merged.get("status"), previousStatus, appliedStatus));
    } else {
      ObjectNode withoutStatus = appliedObject.deepCopy();
      withoutStatus.remove("status");
      merged = (ObjectNode) threeWayMerge(merged, previous, withoutStatus);
    }
    ((ObjectNode) merged.get("metadata")).put("resourceVersion", storedVersion);
    MockResponse updated = crud.dispatch(forward(HttpMethod.PUT, path, merged));
    if (updated.code() < 300) {
      lastApplied.put(key, appliedObject);
    }
    return updated;
  }

  /**
   * Applies {@code applied} over {@code stored}: objects are merged field by field, anything else
   * replaced; fields present in {@code previous} (this manager's last apply) but not in {@code
   * applied} are removed.
   */
  static JsonNode threeWayMerge(JsonNode stored, JsonNode previous, JsonNode applied) {
    if (!(applied instanceof ObjectNode appliedObject)) {
      return applied == null || applied.isMissingNode() ? stored : applied.deepCopy();
    }
    ObjectNode result =
        stored instanceof ObjectNode storedObject
            ? storedObject.deepCopy()
            : JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = appliedObject.fields();
        fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode previousValue = previous == null ? null : previous.get(field.getKey());
      if (field.getKey().equals("conditions")
          && field.getValue() instanceof ArrayNode appliedList) {
        result.set("conditions", mergeByType(result.get("conditions"), previousValue, appliedList));
        continue;
      }
      result.set(
          field.getKey(),
          threeWayMerge(result.get(field.getKey()), previousValue, field.getValue()));
    }
    if (previous instanceof ObjectNode previousObject) {
      previousObject
          .fieldNames()
          .forEachRemaining(
              name -> {
                if (!appliedObject.has(name)) {
                  result.remove(name);
                }
              });
    }
    return result;
  }

  /** A list-map keyed by {@code type}: the stored entries with this manager's replaced. */
  static ArrayNode mergeByType(JsonNode stored, JsonNode previous, ArrayNode applied) {
    Set<String> appliedTypes = new java.util.HashSet<>();
    applied.forEach(c -> appliedTypes.add(c.path("type").asText()));
    Set<String> dropped = new java.util.HashSet<>();
    if (previous instanceof ArrayNode previousList) {
      previousList.forEach(
          c -> {
            if (!appliedTypes.contains(c.path("type").asText())) {
              dropped.add(c.path("type").asText());
            }
          });
    }
    ArrayNode result = JSON.createArrayNode();
    Set<String> placed = new java.util.HashSet<>();
    if (stored instanceof ArrayNode storedList) {
      for (JsonNode condition : storedList) {
        String type = condition.path("type").asText();
        if (dropped.contains(type)) {
          continue;
        }
        JsonNode replacement = null;
        for (JsonNode candidate : applied) {
          if (candidate.path("type").asText().equals(type)) {
            replacement = candidate;
          }
        }
        result.add(replacement == null ? condition : replacement.deepCopy());
        placed.add(type);
      }
    }
    for (JsonNode condition : applied) {
      if (placed.add(condition.path("type").asText())) {
        result.add(condition.deepCopy());
      }
    }
    return result;
  }

  private static RecordedRequest forward(HttpMethod method, String path, JsonNode body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Headers headers = Headers.builder().add("Content-Type", "application/json").build();
    return new RecordedRequest("HTTP/1.1", method, path, headers, new Buffer(bytes));
  }

  private static String queryParameter(String query, String name) {
    for (String pair : query.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0 && pair.substring(0, equals).equals(name)) {
        return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static MockResponse invalid(Refusal refusal) {
    ObjectNode status = JSON.createObjectNode();
    status.put("apiVersion", "v1").put("kind", "Status").put("status", "Failure");
    status.put("message", refusal.message()).put("reason", "Invalid").put("code", 422);
    ObjectNode cause = status.putObject("details").putArray("causes").addObject();
    cause
        .put("reason", "FieldValueInvalid")
        .put("message", refusal.message())
        .put("field", refusal.field());
    return new MockResponse()
        .setResponseCode(422)
        .setHeader("Content-Type", "application/json")
        .setBody(status.toString());
  }

  private static MockResponse status(int code, String reason, String message) {
    ObjectNode status = JSON.createObjectNode();
    status.put("apiVersion", "v1").put("kind", "Status").put("status", "Failure");
    status.put("message", message).put("reason", reason).put("code", code);
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(status.toString());
  }
}
