package io.aihandler.router.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.SidecarSettings;
import io.aihandler.router.config.Task;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.routing.CallRecord;
import io.aihandler.router.routing.RequestRouter;
import io.aihandler.router.routing.RoutedCall;
import io.aihandler.router.runtime.ConfigReloader;
import io.aihandler.router.runtime.RouterRuntime;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Locale;

/**
 * The sidecar's HTTP API on Helidon SE WebServer: every request runs on its own virtual thread,
 * so the routing code blocks plainly on upstream calls without tying up a platform thread.
 */
public final class RouterServer implements AutoCloseable {

  private static final System.Logger ACCESS = System.getLogger("io.aihandler.router.access");
  private static final System.Logger PROMPTS = System.getLogger("io.aihandler.router.prompts");
  private static final System.Logger LOG = System.getLogger("io.aihandler.router.server");

  /** Name of the listener that serves only health, readiness and metrics. */
  public static final String MANAGEMENT = "management";

  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final ConfigReloader config;
  private final RequestRouter router;
  private final RouterMetrics metrics;
  private final long maxRequestBytes;
  private final WebServer server;

  /**
   * Builds the server; {@link #start()} binds it.
   *
   * @param port the API port to bind, overriding the config's (0 picks a free one)
   * @param managementPort the management port to bind, overriding the config's (0 picks a free
   *     one)
   */
  public RouterServer(
      ConfigReloader config,
      RequestRouter router,
      RouterMetrics metrics,
      Integer port,
      Integer managementPort) {
    this.config = config;
    this.router = router;
    this.metrics = metrics;
    SidecarSettings s = config.current().config().sidecar();
    this.maxRequestBytes = s.maxRequestBytes();
    this.server =
        WebServer.builder()
            .host(s.host())
            .port(port != null ? port : s.port())
            .shutdownGracePeriod(s.shutdownGraceDuration())
            .shutdownHook(false)
            // Streamed answers go out one small write per event: with Nagle's algorithm on, each
            // write after the first waits for the client's delayed ACK (40 ms on Linux).
            .connectionOptions(o -> o.tcpNoDelay(true))
            .routing(this::routes)
            // Probes and scrapes come from the kubelet and Prometheus on the pod IP; a listener of
            // their own keeps the API (which spends the backends' keys) on loopback.
            .putSocket(
                MANAGEMENT,
                socket ->
                    socket
                        .host(s.managementHost())
                        .port(managementPort != null ? managementPort : s.managementPort())
                        .connectionOptions(o -> o.tcpNoDelay(true))
                        .shutdownGracePeriod(s.shutdownGraceDuration()))
            .routing(MANAGEMENT, this::managementRoutes)
            .build();
  }

  private void routes(HttpRouting.Builder r) {
    r.post("/v1/chat/completions", this::chatCompletions)
        .post("/v1/tasks/{task}", this::task)
        .get("/v1/models", this::models);
    managementRoutes(r);
  }

  /** Health, readiness and metrics: all the management listener serves, and the API's too. */
  private void managementRoutes(HttpRouting.Builder r) {
    r.get("/healthz", (req, res) -> json(res, 200, mapper.createObjectNode().put("status", "ok")))
        .get("/readyz", this::ready)
        .get("/metrics", this::metricsPage)
        .any(
            (req, res) ->
                error(
                    res,
                    new ApiException(
                        404, "invalid_request_error", "unknown_url", null,
                        "no endpoint " + req.prologue().method().text() + " " + req.path().path())));
  }

  /** Binds the port and starts serving. */
  public RouterServer start() {
    server.start();
    return this;
  }

  /** The bound API port. */
  public int port() {
    return server.port();
  }

  /** The bound management port. */
  public int managementPort() {
    return server.port(MANAGEMENT);
  }

  /** Stops accepting requests and lets those in flight finish within the grace period. */
  @Override
  public void close() {
    if (server.isRunning()) {
      server.stop();
    }
  }

  // ---- endpoints ----

  private void chatCompletions(ServerRequest req, ServerResponse res) {
    long started = System.nanoTime();
    CallRecord record = new CallRecord();
    String model = "-";
    String route = "-";
    String dataClass = "-";
    int status = 200;
    SseChunkSink sink = null;
    try {
      RouterRuntime rt = config.current();
      ObjectNode body = readJson(req);
      model = body.path("model").asText("-");
      RoutedCall call = CallResolver.forChat(rt, body, header(req, DataPolicy.HEADER));
      route = call.route().name();
      dataClass = call.decision().label();
      logPrompt(rt, call);
      if (call.streaming()) {
        sink = new SseChunkSink(res, mapper);
        router.stream(rt, call, record, sink);
        if (!"success".equals(record.outcome())) {
          status = 200; // headers were already sent; the error went out as an event
        }
      } else {
        RequestRouter.Answer answer = router.complete(rt, call, record);
        json(res, 200, answer.completion());
      }
    } catch (ApiException e) {
      status = e.status();
      if (record.outcome().equals("success")) {
        record.outcome(outcomeOf(e));
      }
      if (sink != null && sink.begun()) {
        LOG.log(Level.WARNING, "error after the stream began: {0}", e.getMessage());
      } else {
        error(res, e);
      }
    } catch (IOException e) {
      record.outcome("client_closed");
    } catch (RuntimeException e) {
      status = 500;
      record.outcome("internal_error");
      LOG.log(Level.ERROR, "request failed: " + e, e);
      if (sink == null || !sink.begun()) {
        error(res, new ApiException(500, "server_error", "internal_error", "internal error in the router"));
      }
    } finally {
      finish("chat", req, status, model, route, dataClass, record, started);
    }
  }

  private void task(ServerRequest req, ServerResponse res) {
    long started = System.nanoTime();
    CallRecord record = new CallRecord();
    String taskName = req.path().pathParameters().get("task");
    String route = "-";
    String dataClass = "-";
    int status = 200;
    try {
      RouterRuntime rt = config.current();
      ObjectNode body = readJson(req);
      RoutedCall call = CallResolver.forTask(rt, taskName, body, header(req, DataPolicy.HEADER));
      route = call.route().name();
      dataClass = call.decision().label();
      logPrompt(rt, call);
      RequestRouter.Answer answer = router.complete(rt, call, record);
      ObjectNode out = mapper.createObjectNode();
      out.put("id", answer.completion().path("id").asText());
      out.put("task", taskName);
      JsonNode choice = answer.completion().path("choices").path(0);
      if (answer.output() != null) {
        out.set("output", answer.output());
      } else {
        out.set("output", choice.path("message").path("content"));
      }
      out.put("valid", call.validator() != null);
      out.put("finish_reason", choice.path("finish_reason").asText(null));
      out.put("backend", record.backend());
      out.put("model", rt.backend(record.backend()).config().model());
      out.put("attempts", record.attempts());
      ObjectNode usage = out.putObject("usage");
      usage.put("prompt_tokens", record.inputTokens());
      usage.put("completion_tokens", record.outputTokens());
      usage.put("total_tokens", record.inputTokens() + record.outputTokens());
      out.put("cost_usd", record.cost());
      json(res, 200, out);
    } catch (ApiException e) {
      status = e.status();
      if (record.outcome().equals("success")) {
        record.outcome(outcomeOf(e));
      }
      error(res, e);
    } catch (RuntimeException e) {
      status = 500;
      record.outcome("internal_error");
      LOG.log(Level.ERROR, "request failed: " + e, e);
      error(res, new ApiException(500, "server_error", "internal_error", "internal error in the router"));
    } finally {
      finish("task", req, status, taskName, route, dataClass, record, started);
    }
  }

  private void models(ServerRequest req, ServerResponse res) {
    RouterRuntime rt = config.current();
    ObjectNode out = mapper.createObjectNode();
    out.put("object", "list");
    ArrayNode data = out.putArray("data");
    for (Task t : rt.config().tasks()) {
      model(data, t.name(), "task");
    }
    for (Route r : rt.config().routes()) {
      model(data, r.name(), "route");
    }
    for (Backend b : rt.config().backends()) {
      model(data, b.name(), "backend");
    }
    json(res, 200, out);
  }

  private static void model(ArrayNode data, String id, String kind) {
    ObjectNode m = data.addObject();
    m.put("id", id);
    m.put("object", "model");
    m.put("created", 0);
    m.put("owned_by", "aihandler:" + kind);
  }

  private void ready(ServerRequest req, ServerResponse res) {
    RouterRuntime rt = config.current();
    ObjectNode out = mapper.createObjectNode();
    out.put("status", rt == null ? "starting" : "ready");
    out.put("configSha256", config.appliedHash());
    ObjectNode backends = out.putObject("backends");
    if (rt != null) {
      rt.backends()
          .forEach(
              (name, b) -> {
                ObjectNode o = backends.putObject(name);
                o.put("circuit", b.breaker().getState().name());
                o.put("locality", b.config().locality().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                if (b.translatorProblem() != null) {
                  o.put("problem", b.translatorProblem());
                }
              });
    }
    json(res, rt == null ? 503 : 200, out);
  }

  private void metricsPage(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    try (OutputStream out = res.outputStream()) {
      metrics.scrape(out);
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "metrics scrape aborted: {0}", e.toString());
    }
  }

  // ---- helpers ----

  private ObjectNode readJson(ServerRequest req) {
    long declared = req.headers().contentLength().orElse(-1);
    if (declared > maxRequestBytes) {
      throw tooLarge();
    }
    byte[] bytes;
    try (InputStream in = req.content().inputStream()) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBytes + 1));
    } catch (IOException e) {
      throw ApiException.badRequest("unreadable_body", null, "the request body could not be read");
    }
    if (bytes.length > maxRequestBytes) {
      throw tooLarge();
    }
    if (bytes.length == 0) {
      throw ApiException.badRequest("missing_body", null, "the request needs a JSON body");
    }
    JsonNode node;
    try {
      node = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw ApiException.badRequest("invalid_json", null, "the body is not valid JSON" + where);
    } catch (IOException e) {
      throw ApiException.badRequest("invalid_json", null, "the body is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("invalid_json", null, "the body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  private ApiException tooLarge() {
    return new ApiException(
        413, "invalid_request_error", "request_too_large", null,
        "the request body is larger than " + maxRequestBytes + " bytes");
  }

  private static String header(ServerRequest req, String name) {
    return req.headers().first(HeaderNames.create(name)).orElse(null);
  }

  private void json(ServerResponse res, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.send(bytes);
  }

  private void error(ServerResponse res, ApiException e) {
    if (res.isSent()) {
      return;
    }
    if (e.status() == 429 || e.status() == 503) {
      res.header(HeaderNames.RETRY_AFTER, "1");
    }
    json(res, e.status(), ErrorEnvelope.of(e));
  }

  private static String outcomeOf(ApiException e) {
    if (e.status() == 403 && "data_policy_blocked".equals(e.code())) {
      return "data_policy_blocked";
    }
    return e.status() < 500 ? "client_error" : "error";
  }

  private void logPrompt(RouterRuntime rt, RoutedCall call) {
    if (rt.config().sidecar().logPrompts()) {
      PROMPTS.log(Level.INFO, "model={0} messages={1}", call.requestedModel(), call.request().path("messages"));
    }
  }

  private void finish(
      String endpoint,
      ServerRequest req,
      int status,
      String model,
      String route,
      String dataClass,
      CallRecord record,
      long started) {
    Duration total = Duration.ofNanos(System.nanoTime() - started);
    metrics.request(endpoint, route, record.backend(), record.outcome(), total);
    metrics.overhead(endpoint, total.minusNanos(record.upstreamNanos()));
    // One line per request: routing facts only, never prompt or completion text.
    ACCESS.log(
        Level.INFO,
        "{0} {1} status={2} model={3} route={4} backend={5} attempts={6} outcome={7}"
            + " data_class={8} tokens_in={9} tokens_out={10} cost_usd={11} duration_ms={12}",
        req.prologue().method().text(),
        req.path().path(),
        String.valueOf(status),
        model,
        route,
        record.backend(),
        String.valueOf(record.attempts()),
        record.outcome(),
        dataClass,
        String.valueOf(record.inputTokens()),
        String.valueOf(record.outputTokens()),
        String.format(Locale.ROOT, "%.6f", record.cost()),
        String.valueOf(total.toMillis()));
  }
}
