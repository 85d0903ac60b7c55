package io.aihandler.controllers.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.v1alpha1.HostedProvider;
import io.aihandler.api.v1alpha1.HostedSpec;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.hosted.ProviderProbe;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.BackendLocality;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.routing.RoutingPolicyResolution.ResolvedRoute;
import io.aihandler.controllers.routing.RoutingPolicyResolution.ResolvedTarget;
import io.aihandler.controllers.vllm.VllmBackend;
import io.aihandler.router.config.Activation;
import io.aihandler.router.config.InvalidRouterConfigException;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Renders the router document of a Workflow: its tasks, its policy's routes and data classes, and
 * every backend those routes may use, resolved to endpoints, model names and credential files.
 * Pure. The result is checked with the sidecar's own loader, so a document the sidecar would refuse
 * is never published.
 *
 * <p>The contract's field names mirror the CRDs', so routes, tasks and data classes are carried
 * over field for field; only backend references change (to names of the document's backends) and
 * backends are resolved.
 */
public final class RouterConfigRenderer {

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private RouterConfigRenderer() {}

  /** A rendered document, or the problems that kept it from being rendered. */
  public record Rendered(RouterConfig config, String yaml, String hash, List<String> problems) {

    public boolean ok() {
      return problems.isEmpty();
    }

    static Rendered failed(List<String> problems) {
      return new Rendered(null, null, null, List.copyOf(problems));
    }
  }

  /**
   * @param routes the policy's routes with their usable targets (missing and refused backends
   *     already left out)
   * @param provisionedKeys backends whose key is in the Workflow's credentials Secret
   */
  public static Rendered render(
      Workflow workflow,
      io.aihandler.api.v1alpha1.RoutingPolicy policy,
      List<ResolvedRoute> routes,
      Set<BackendKey> provisionedKeys,
      ProviderEndpoints providers) {
    return render(
        workflow,
        policy,
        routes,
        new EvaluationCandidates.Resolution(List.of(), List.of()),
        provisionedKeys,
        providers,
        null);
  }

  /**
   * @param routes the policy's routes with their usable targets (missing and refused backends
   *     already left out)
   * @param candidates the tasks' usable evaluation candidates: their backends join the document's
   *     even when no route reaches them
   * @param provisionedKeys backends whose key is in the Workflow's credentials Secret
   * @param activation how sidecars ask the operator to wake a backend with no ready replica;
   *     written only when the document has such (vLLM) backends; null when the operator serves no
   *     activations
   */
  public static Rendered render(
      Workflow workflow,
      io.aihandler.api.v1alpha1.RoutingPolicy policy,
      List<ResolvedRoute> routes,
      EvaluationCandidates.Resolution candidates,
      Set<BackendKey> provisionedKeys,
      ProviderEndpoints providers,
      Activation activation) {
    List<ResolvedRoute> servable =
        routes.stream().map(RouterConfigRenderer::readyTargetsFirst).toList();
    Map<BackendKey, ModelBackend> used = new LinkedHashMap<>();
    servable.forEach(
        route ->
            route
                .targets()
                .forEach(t -> used.putIfAbsent(BackendKey.of(t.backend()), t.backend())));
    candidates.backends().forEach(b -> used.putIfAbsent(BackendKey.of(b), b));
    Function<BackendKey, String> names = documentNames(used.keySet());

    ObjectNode document = JSON.createObjectNode();
    ObjectNode sidecar = document.putObject("sidecar");
    if (workflow.getSpec().sidecar() != null) {
      var settings = workflow.getSpec().sidecar();
      if (settings.port() != null) {
        sidecar.put("port", settings.port());
      }
      if (settings.logLevel() != null) {
        sidecar.set("logLevel", JSON.valueToTree(settings.logLevel()));
      }
      if (settings.logPrompts() != null) {
        sidecar.put("logPrompts", settings.logPrompts());
      }
      if (settings.logFormat() != null) {
        sidecar.set("logFormat", JSON.valueToTree(settings.logFormat()));
      }
      if (settings.tracing() != null) {
        sidecar.set("tracing", TracingRendering.of(settings.tracing(), workflow));
      }
    }
    if (activation != null && used.values().stream().anyMatch(b -> b.getSpec().vllm() != null)) {
      sidecar.set("activation", JSON.valueToTree(activation));
    }

    ArrayNode backends = document.putArray("backends");
    for (var entry : used.entrySet()) {
      backends.add(
          backend(
              names.apply(entry.getKey()),
              entry.getValue(),
              provisionedKeys.contains(entry.getKey()),
              providers));
    }

    ArrayNode routeNodes = document.putArray("routes");
    for (ResolvedRoute resolved : servable) {
      if (resolved.targets().isEmpty()) {
        continue; // reported by ResolvedRefs; a route without targets cannot be served
      }
      ObjectNode route = JSON.valueToTree(resolved.route());
      ArrayNode targets = route.putArray("targets");
      for (ResolvedTarget target : resolved.targets()) {
        ObjectNode node = targets.addObject();
        node.put("backend", names.apply(BackendKey.of(target.backend())));
        if (target.target().weight() != null) {
          node.put("weight", target.target().weight());
        }
        if (target.target().priority() != null) {
          node.put("priority", target.target().priority());
        }
      }
      routeNodes.add(route);
    }
    if (policy.getSpec().dataClasses() != null) {
      document.set("dataClasses", JSON.valueToTree(policy.getSpec().dataClasses()));
    }
    if (policy.getSpec().defaultDataClass() != null) {
      document.put("defaultDataClass", policy.getSpec().defaultDataClass());
    }
    if (policy.getSpec().unscannableDataClass() != null) {
      document.put("unscannableDataClass", policy.getSpec().unscannableDataClass());
    }
    ArrayNode tasks = JSON.valueToTree(workflow.getSpec().tasks());
    tasks.forEach(task -> evaluation((ObjectNode) task, candidates, names));
    document.set("tasks", tasks);

    String source =
        "router config of Workflow "
            + workflow.getMetadata().getNamespace()
            + "/"
            + workflow.getMetadata().getName();
    try {
      RouterConfig config = RouterConfigLoader.parse(JSON.writeValueAsString(document), source);
      String yaml = RouterConfigLoader.toYaml(config);
      return new Rendered(config, yaml, hash(yaml), List.of());
    } catch (InvalidRouterConfigException e) {
      return Rendered.failed(e.problems());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /**
   * A task's {@code evaluate} with its usable candidates named as the document names backends; none
   * usable leaves the task without one (the others are reported by ResolvedRefs).
   */
  private static void evaluation(
      ObjectNode task,
      EvaluationCandidates.Resolution candidates,
      Function<BackendKey, String> names) {
    if (!(task.get("evaluate") instanceof ObjectNode evaluate)) {
      return;
    }
    String name = task.path("name").asText();
    ArrayNode rendered = JSON.createArrayNode();
    for (EvaluationCandidates.Candidate c : candidates.usable()) {
      if (c.task().equals(name)) {
        rendered
            .addObject()
            .put("backend", names.apply(BackendKey.of(c.backend())))
            .put("sampleRate", c.spec().sampleRate());
      }
    }
    if (rendered.isEmpty()) {
      task.remove("evaluate");
    } else {
      evaluate.set("candidates", rendered);
    }
  }

  /**
   * A route's targets that are ready or can be woken, or all of them when none is. A vLLM backend
   * always stays, marked with its {@link BackendCapacity}: the sidecar wakes it, holds the requests
   * only it may serve and spills the others over. Any other backend that is not ready (a hosted one
   * whose key fails) is left out while another can serve, and when none can, the sidecar's circuit
   * breakers and fallbacks decide rather than the route disappearing.
   */
  static ResolvedRoute readyTargetsFirst(ResolvedRoute route) {
    if (route.targets().stream().noneMatch(t -> RoutingPolicyResolution.ready(t.backend()))) {
      return route;
    }
    List<ResolvedTarget> kept =
        route.targets().stream()
            .filter(
                target ->
                    BackendCapacity.of(target.backend()) != null
                        || RoutingPolicyResolution.ready(target.backend()))
            .toList();
    return new ResolvedRoute(route.route(), kept);
  }

  private static ObjectNode backend(
      String name, ModelBackend backend, boolean hasKey, ProviderEndpoints providers) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", name);
    var spec = backend.getSpec();
    String defaultVectorSpace;
    if (spec.vllm() != null) {
      VllmBackend vllm = VllmBackend.of(backend);
      defaultVectorSpace = vllm.defaultVectorSpace();
      node.put("provider", "vllm");
      String endpoint =
          backend.getStatus() != null && backend.getStatus().getEndpoint() != null
              ? backend.getStatus().getEndpoint()
              : vllm.endpoint();
      node.put("baseUrl", endpoint);
      node.put("model", vllm.servedModelName());
      node.set("capacity", JSON.valueToTree(BackendCapacity.of(backend)));
    } else {
      HostedSpec hosted = spec.hosted();
      defaultVectorSpace = hosted.model();
      node.set("provider", JSON.valueToTree(hosted.provider()));
      node.put("baseUrl", providers.baseUrl(hosted));
      node.put("model", hosted.model());
      if (hosted.provider() == HostedProvider.AZURE_OPENAI) {
        // The same default the key check uses: the CRD leaves apiVersion optional, the router
        // needs one for every Azure call.
        node.put(
            "apiVersion",
            hosted.apiVersion() != null
                ? hosted.apiVersion()
                : ProviderProbe.DEFAULT_AZURE_API_VERSION);
      } else if (hosted.apiVersion() != null) {
        node.put("apiVersion", hosted.apiVersion());
      }
      if (hasKey) {
        node.putObject("credentials")
            .put(
                "file",
                WorkflowObjectNames.CREDENTIALS_DIRECTORY
                    + "/"
                    + CredentialSecretBuilder.entryKey(
                        backend.getMetadata().getNamespace(), backend.getMetadata().getName()));
      }
    }
    node.set("locality", JSON.valueToTree(BackendLocality.of(backend)));
    putIfPresent(node, "pricing", spec.pricing());
    putIfPresent(node, "capabilities", spec.capabilities());
    if (node.path("capabilities").path("embeddings") instanceof ObjectNode embeddings
        && !embeddings.has("vectorSpace")) {
      // Explicit in the document, so which backends may stand in for each other for an index is
      // decided here, from the weights, and not by a sidecar default based on the served name.
      embeddings.put("vectorSpace", defaultVectorSpace);
    }
    putIfPresent(node, "limits", spec.limits());
    return node;
  }

  /**
   * Names backends by their ModelBackend name, which is what applications write in {@code model};
   * only names that two namespaces share get the namespace as a prefix.
   */
  static Function<BackendKey, String> documentNames(Set<BackendKey> keys) {
    Map<String, Long> counts =
        keys.stream().collect(Collectors.groupingBy(BackendKey::name, Collectors.counting()));
    return key ->
        counts.getOrDefault(key.name(), 0L) > 1 ? key.namespace() + "." + key.name() : key.name();
  }

  private static void putIfPresent(ObjectNode node, String field, Object value) {
    if (value != null) {
      JsonNode tree = JSON.valueToTree(value);
      if (!tree.isEmpty()) {
        node.set(field, tree);
      }
    }
  }

  /** Short, stable hash of the document: what sidecars report and the status shows. */
  public static String hash(String yaml) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(yaml.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
