package io.aihandler.router.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.logging.LogContext;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.SidecarHeap;
import io.aihandler.router.config.SidecarSettings;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.responses.ResponseStore;
import io.aihandler.router.responses.ResponsesApi;
import io.aihandler.router.routing.CallRecord;
import io.aihandler.router.routing.ClientLeftException;
import io.aihandler.router.routing.Outcome;
import io.aihandler.router.routing.RequestRouter;
import io.aihandler.router.routing.RoutedCall;
import io.aihandler.router.runtime.ConfigReloader;
import io.aihandler.router.runtime.Json;
import io.aihandler.router.runtime.RouterRuntime;
import io.aihandler.router.runtime.TimerTaskGuard;
import io.aihandler.router.shadow.ShadowEvaluation;
import io.aihandler.router.tracing.RequestSpan;
import io.aihandler.router.tracing.RequestTracing;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * The sidecar's HTTP API on Helidon SE WebServer: every request runs on its own virtual thread, so
 * the routing code blocks plainly on upstream calls without tying up a platform thread.
 */
public final class RouterServer implements AutoCloseable {

  private static final System.Logger ACCESS = System.getLogger("io.aihandler.router.access");
  private static final System.Logger PROMPTS = System.getLogger("io.aihandler.router.prompts");
  private static final System.Logger LOG = System.getLogger("io.aihandler.router.server");

  /** Name of the listener that serves only health, readiness and metrics. */
  public static final String MANAGEMENT = "management";

  /** Connections the management listener keeps at once: probes and scrapes need a few. */
  static final int MANAGEMENT_CONNECTIONS = SidecarHeap.MANAGEMENT_CONNECTIONS;

  /** Error codes after which the rest of the request's bytes are not worth reading. */
  private static final Set<String> CLOSES_CONNECTION =
      Set.of(
          "request_too_large",
          "body_timeout",
          "invalid_body_framing",
          "unreadable_body",
          "overloaded");

  private static final HeaderName REQUEST_ID = HeaderNames.create(RequestIds.HEADER);

  /**
   * The access log's status of a request whose client left before it was answered: nginx's 499,
   * "client closed request", which no client ever receives.
   */
  static final int CLIENT_CLOSED_REQUEST = 499;

  private final ObjectMapper mapper = Json.mapper();
  private final ConfigReloader config;
  private final RequestRouter router;
  private final ResponsesApi responses;
  private final ShadowEvaluation shadows;
  private final RouterMetrics metrics;
  private final ServerTimers timers;
  private final RequestBodyReader bodies;
  private final Semaphore inFlight;
  private final RequestTracing tracing;
  private final int maxConcurrentRequests;
  private final ClientConnections apiConnections;
  private final WebServer server;

  /**
   * Builds the server; {@link #start()} binds it.
   *
   * @param port the API port to bind, overriding the config's (0 picks a free one)
   * @param managementPort the management port to bind, overriding the config's (0 picks a free one)
   * @param budget the heap share request bodies may take at once
   * @param tracing starts each API request's span ({@link RequestTracing#OFF} for none)
   */
  public RouterServer(
      ConfigReloader config,
      RequestRouter router,
      RouterMetrics metrics,
      Integer port,
      Integer managementPort,
      MemoryBudget budget,
      RequestTracing tracing) {
    this.config = config;
    this.tracing = tracing;
    this.router = router;
    this.metrics = metrics;
    this.timers =
        new ServerTimers(new TimerTaskGuard("server-timer", metrics::backgroundTaskFailure));
    SidecarSettings s = config.current().config().sidecar();
    this.responses =
        new ResponsesApi(
            router,
            new ResponseStore(
                s.responsesStoreEntries(), s.responsesStoreBytes(), s.responsesStoreTtlDuration()));
    this.shadows =
        new ShadowEvaluation(
            router, metrics, s, HeapPlan.shadowReservation(config.current().config()));
    this.bodies = new RequestBodyReader(s, budget, timers);
    this.maxConcurrentRequests = s.maxConcurrentRequests();
    this.inFlight = new Semaphore(maxConcurrentRequests);
    Duration firstHead = min(s.headerReadTimeoutDuration(), s.idleTimeoutDuration());
    ClientConnections api =
        new ClientConnections(timers, s.headerReadTimeoutDuration(), firstHead, s.maxConnections());
    this.apiConnections = api;
    ClientConnections management =
        new ClientConnections(
            timers, s.headerReadTimeoutDuration(), firstHead, MANAGEMENT_CONNECTIONS);
    this.server =
        WebServer.builder()
            .host(s.host())
            .port(port != null ? port : s.port())
            .shutdownGracePeriod(s.shutdownGraceDuration())
            .shutdownHook(false)
            .update(b -> bounded(b, s, api))
            .routing(
                r ->
                    routes(
                        r.addFilter(answered(api))
                            .addFilter(RouterServer::requestId)
                            .addFilter(RouterServer::closeIfBodyUnread)))
            // Probes and scrapes come from the kubelet and Prometheus on the pod IP; a listener of
            // their own keeps the API (which spends the backends' keys) on loopback.
            .putSocket(
                MANAGEMENT,
                socket ->
                    socket
                        .host(s.managementHost())
                        .port(managementPort != null ? managementPort : s.managementPort())
                        .shutdownGracePeriod(s.shutdownGraceDuration())
                        .update(b -> bounded(b, s, management)))
            .routing(
                MANAGEMENT,
                r ->
                    managementRoutes(
                        r.addFilter(answered(management))
                            .addFilter(RouterServer::requestId)
                            .addFilter(RouterServer::closeIfBodyUnread)))
            .build();
  }

  /**
   * Puts a listener's connections under the sidecar's limits: at most {@code connections}' cap,
   * each read timed, request heads timed, the longest-idle closed when full, HTTP/1.0 served.
   */
  private static void bounded(
      ListenerConfig.BuilderBase<?, ?> listener, SidecarSettings s, ClientConnections connections) {
    Http1Config http1 =
        Http1Config.builder().addReceiveListener(new RequestHeadEvents(connections)).build();
    listener
        .connectionOptions(new ClientSocketOptions(connections))
        // Stream sockets: closing a channel ends a read blocked on it, which the head and body
        // limits rely on.
        .useNio(false)
        .maxTcpConnections(connections.maxConnections())
        .idleConnectionTimeout(s.idleTimeoutDuration())
        .idleConnectionPeriod(idleCheckPeriod(s.idleTimeoutDuration()))
        .addProtocol(http1)
        .addConnectionSelector(
            new Http10Compatibility(Http1ConnectionSelector.builder().config(http1).build()));
  }

  /** Marks a connection idle once the routing has answered its request. */
  private static Filter answered(ClientConnections connections) {
    return (chain, req, res) -> {
      try {
        chain.proceed();
      } finally {
        connections.requestEnded(req.remotePeer().host(), req.remotePeer().port());
      }
    };
  }

  /**
   * Gives every request its id before any handler runs, so every response carries it (answers,
   * errors, streams): the caller's {@code x-request-id} when sane, else a new one.
   */
  private static void requestId(
      io.helidon.webserver.http.FilterChain chain,
      io.helidon.webserver.http.RoutingRequest req,
      io.helidon.webserver.http.RoutingResponse res) {
    res.header(REQUEST_ID, RequestIds.of(req.headers().first(REQUEST_ID).orElse(null)));
    chain.proceed();
  }

  /**
   * Answers a request whose declared body no handler read with {@code Connection: close} (a POST to
   * an unknown path, a GET with a Content-Length, a body refused before its end). Helidon would
   * otherwise read that body after the answer to reach the next request, a read no limit of the
   * sidecar's covers: a client that declared a body and sent none held its connection open. With
   * the header, Helidon skips the body, and the connection, no longer in a request, is closed by
   * the listener's idle timeout like any other. Checked just before the answer is sent, when the
   * handler has read what it will.
   */
  private static void closeIfBodyUnread(
      io.helidon.webserver.http.FilterChain chain,
      io.helidon.webserver.http.RoutingRequest req,
      io.helidon.webserver.http.RoutingResponse res) {
    res.beforeSend(
        () -> {
          if (req.content().hasEntity() && !req.content().consumed()) {
            res.header(HeaderValues.CONNECTION_CLOSE);
          }
        });
    chain.proceed();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Idle connections are looked for a few times per idle timeout, at most once a second. */
  private static Duration idleCheckPeriod(Duration idleTimeout) {
    return Duration.ofMillis(Math.max(100, Math.min(1000, idleTimeout.toMillis() / 4)));
  }

  private void routes(HttpRouting.Builder r) {
    r.post("/v1/chat/completions", this::chatCompletions)
        .post("/v1/responses", this::responses)
        .post("/v1/embeddings", this::embeddings)
        .post("/v1/tasks/{task}", this::task)
        .get("/v1/models", this::models)
        .get("/v1/models/{id}", this::model);
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
                        404,
                        "invalid_request_error",
                        "unknown_url",
                        null,
                        "no endpoint "
                            + req.prologue().method().text()
                            + " "
                            + req.path().path())));
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
    timers.close();
    shadows.close();
  }

  /** Whether the listeners are bound and serving. */
  public boolean isRunning() {
    return server.isRunning();
  }

  // ---- endpoints ----

  private void chatCompletions(ServerRequest req, ServerResponse res) {
    serve(
        "chat",
        req,
        res,
        (rt, body, x) -> {
          x.model = body.path("model").asText("-");
          RoutedCall call = CallResolver.forChat(rt, body, headerValues(req, DataPolicy.HEADER));
          x.resolved(call);
          logPrompt(rt, call);
          if (call.streaming()) {
            refuseStreamOverHttp10(req);
            x.sink = new SseChunkSink(res, mapper);
            router.stream(rt, call, x.record, x.sink);
          } else {
            RequestRouter.Answer answer = router.complete(rt, call, x.record);
            json(res, 200, answer.completion());
          }
        });
  }

  private void responses(ServerRequest req, ServerResponse res) {
    serve(
        "responses",
        req,
        res,
        (rt, body, x) -> {
          x.model = body.path("model").asText("-");
          List<String> dataClasses = headerValues(req, DataPolicy.HEADER);
          ResponsesApi.Call call =
              responses.resolve(
                  rt,
                  body,
                  chat -> CallResolver.forChat(rt, chat, dataClasses),
                  bytes -> x.record.memory().charge(bytes * MemoryBudget.BYTES_PER_BODY_BYTE));
          x.resolved(call.routed());
          logPrompt(rt, call.routed());
          if (call.streaming()) {
            refuseStreamOverHttp10(req);
            x.sink = new SseChunkSink(res, mapper);
            responses.stream(rt, call, x.record, x.sink);
          } else {
            json(res, 200, responses.complete(rt, call, x.record));
          }
        });
  }

  private void embeddings(ServerRequest req, ServerResponse res) {
    serve(
        "embeddings",
        req,
        res,
        (rt, body, x) -> {
          x.model = body.path("model").asText("-");
          CallResolver.Embedding e =
              CallResolver.forEmbeddings(rt, body, headerValues(req, DataPolicy.HEADER));
          x.resolved(e.call());
          if (rt.config().sidecar().logPrompts()) {
            PROMPTS.log(
                Level.INFO, "model={0} input={1}", e.call().requestedModel(), body.path("input"));
          }
          RequestRouter.Embeddings answer =
              router.embed(rt, e.call(), e.read().request(), x.record);
          ByteArrayOutputStream out =
              EmbeddingResponseWriter.write(answer, e.read().base64(), x.model, x.record.memory());
          res.status(200);
          res.header(HeaderNames.CONTENT_TYPE, "application/json");
          res.contentLength(out.size());
          try (OutputStream to = res.outputStream()) {
            out.writeTo(to);
          }
        });
  }

  private void task(ServerRequest req, ServerResponse res) {
    String taskName = req.path().pathParameters().get("task");
    serve(
        "task",
        req,
        res,
        (rt, body, x) -> {
          x.model = taskName;
          RoutedCall call =
              CallResolver.forTask(rt, taskName, body, headerValues(req, DataPolicy.HEADER));
          x.resolved(call);
          logPrompt(rt, call);
          RequestRouter.Answer answer = router.complete(rt, call, x.record);
          json(res, 200, taskAnswer(rt, taskName, call, answer, x.record));
        });
  }

  private static void refuseStreamOverHttp10(ServerRequest req) {
    if (req.headers().contains(HeaderNames.create(Http10Compatibility.MARKER))) {
      throw ApiException.badRequest(
          "streaming_needs_http11",
          "stream",
          "a streamed answer is sent chunked, which needs HTTP/1.1; send stream: false over HTTP/1.0");
    }
  }

  private ObjectNode taskAnswer(
      RouterRuntime rt,
      String taskName,
      RoutedCall call,
      RequestRouter.Answer answer,
      CallRecord record) {
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
    return out;
  }

  /** What one API request did, for its access log line and metrics. */
  private static final class Exchange {
    final CallRecord record = new CallRecord();
    String model = "-";
    String route = "-";
    String task = "none";
    String dataClass = "-";
    int status = 200;
    String errorCode;
    String operation = "chat";
    SseChunkSink sink;
    RouterRuntime rt;
    RoutedCall call;

    void resolved(RoutedCall call) {
      this.call = call;
      route = call.route().name();
      // The config's name for the task, never the request's spelling of it.
      task = call.taskName() == null ? "none" : call.taskName();
      dataClass = call.decision().label();
      record.trace().resolved(SpanCall.of(operation, model, call, record.trace()));
    }

    boolean streamBegun() {
      return sink != null && sink.begun();
    }
  }

  @FunctionalInterface
  private interface Endpoint {
    void serve(RouterRuntime rt, ObjectNode body, Exchange x) throws IOException;
  }

  /**
   * The skeleton every API request runs in: admission (concurrency), the bounded body, the
   * endpoint, and one way of turning any failure into the OpenAI envelope, an outcome label, an
   * access log line and metrics.
   */
  private void serve(String endpoint, ServerRequest req, ServerResponse res, Endpoint handler) {
    long started = System.nanoTime();
    Exchange x = new Exchange();
    x.operation = endpoint.equals("embeddings") ? "embeddings" : "chat";
    String requestId = res.headers().first(REQUEST_ID).orElseGet(RequestIds::fresh);
    RequestSpan span =
        tracing.start(endpoint, name -> req.headers().first(HeaderNames.create(name)).orElse(null));
    span.requestId(requestId);
    x.record.requestId(requestId);
    x.record.trace(span);
    x.record.client(apiConnections.watch(req.remotePeer().host(), req.remotePeer().port()));
    try (LogContext.Scope ids =
        LogContext.open(new LogContext.Ids(requestId, span.traceId(), span.spanId()))) {
      serve(endpoint, req, res, handler, x, started);
    }
  }

  private void serve(
      String endpoint,
      ServerRequest req,
      ServerResponse res,
      Endpoint handler,
      Exchange x,
      long started) {
    boolean admitted = inFlight.tryAcquire();
    try {
      if (!admitted) {
        throw new ApiException(
            503,
            "server_error",
            "overloaded",
            "the sidecar is serving its limit of "
                + maxConcurrentRequests
                + " requests at once (sidecar.maxConcurrentRequests); retry shortly");
      }
      RouterRuntime rt = config.current();
      x.rt = rt;
      try (RequestBodyReader.Body body = bodies.read(req)) {
        x.record.memory(body::reserve);
        handler.serve(rt, body.json(), x);
      }
    } catch (ApiException e) {
      x.status = x.streamBegun() ? 200 : e.status();
      x.errorCode = e.code() != null ? e.code() : e.type();
      if (x.record.outcome() == Outcome.SUCCESS) {
        x.record.outcome(Outcome.of(e));
      }
      if (x.streamBegun()) {
        LOG.log(
            Level.WARNING,
            "request {0}: error after the stream began: {1}",
            x.record.requestId(),
            e.getMessage());
      } else {
        error(res, e);
      }
    } catch (IOException e) {
      if (x.record.outcome() == Outcome.SUCCESS) {
        x.record.outcome(Outcome.CLIENT_CLOSED);
      }
      x.errorCode = Outcome.CLIENT_CLOSED.label();
    } catch (ClientLeftException e) {
      x.record.outcome(Outcome.CLIENT_CLOSED);
      x.errorCode = Outcome.CLIENT_CLOSED.label();
      x.status = CLIENT_CLOSED_REQUEST;
      closeUnanswered(res);
    } catch (RuntimeException | StackOverflowError e) {
      x.status = x.streamBegun() ? 200 : 500;
      x.errorCode = "internal_error";
      x.record.outcome(Outcome.INTERNAL_ERROR);
      LOG.log(Level.ERROR, "request " + x.record.requestId() + " failed: " + e, e);
      if (!x.streamBegun()) {
        error(
            res,
            new ApiException(
                500, "server_error", "internal_error", "internal error in the router"));
      }
    } finally {
      if (admitted) {
        inFlight.release();
      }
      finish(endpoint, req, x, started);
    }
  }

  private void models(ServerRequest req, ServerResponse res) {
    json(res, 200, ModelObjects.list(config.current().config()));
  }

  private void model(ServerRequest req, ServerResponse res) {
    try {
      json(
          res,
          200,
          ModelObjects.one(config.current().config(), req.path().pathParameters().get("id")));
    } catch (ApiException e) {
      error(res, e);
    }
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
                o.put(
                    "locality",
                    b.config().locality().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                // Whether the backend has a key, and if not why: never the key itself.
                io.aihandler.router.runtime.CredentialStore.Status key =
                    config.credentials().status(b.config());
                o.put("credentials", key.state());
                String problem =
                    b.translatorProblem() == null
                        ? key.problem()
                        : key.problem() == null
                            ? b.translatorProblem()
                            : b.translatorProblem() + "; " + key.problem();
                if (problem != null) {
                  o.put("problem", problem);
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

  private static List<String> headerValues(ServerRequest req, String name) {
    return req.headers().values(HeaderNames.create(name));
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

  /**
   * Ends the exchange of a client that left while its request was held. Helidon needs every request
   * answered; this one is sent to a connection closed at the other end, and closes it.
   */
  private static void closeUnanswered(ServerResponse res) {
    if (res.isSent()) {
      return;
    }
    res.header(HeaderValues.CONNECTION_CLOSE);
    res.status(CLIENT_CLOSED_REQUEST);
    res.send();
  }

  private void error(ServerResponse res, ApiException e) {
    if (res.isSent()) {
      return;
    }
    if (e.status() == 429 || e.status() == 503) {
      // An error of the cold path says when to come back (ColdRetryAfter); any other, at once.
      long retryAfter = e.retryAfterSeconds() > 0 ? e.retryAfterSeconds() : 1;
      res.header(HeaderNames.RETRY_AFTER, String.valueOf(retryAfter));
    }
    if (e.code() != null && CLOSES_CONNECTION.contains(e.code())) {
      res.header(HeaderValues.CONNECTION_CLOSE);
    }
    json(res, e.status(), ErrorEnvelope.of(e));
  }

  private void logPrompt(RouterRuntime rt, RoutedCall call) {
    if (rt.config().sidecar().logPrompts()) {
      PROMPTS.log(
          Level.INFO,
          "model={0} messages={1}",
          call.requestedModel(),
          call.request().path("messages"));
    }
  }

  private void finish(String endpoint, ServerRequest req, Exchange x, long started) {
    CallRecord record = x.record;
    Duration total = Duration.ofNanos(System.nanoTime() - started);
    metrics.request(endpoint, x.route, x.task, record.backend(), record.outcome().label(), total);
    metrics.overhead(endpoint, total.minusNanos(record.upstreamNanos()));
    ACCESS.log(
        Level.INFO,
        "{0}",
        new AccessLine(
            req.prologue().method().text(),
            req.path().rawPath(),
            x.status,
            x.model,
            x.route,
            record.backend(),
            record.attempts(),
            record.outcome().label(),
            x.dataClass,
            record.inputTokens(),
            record.outputTokens(),
            record.cost(),
            total.toMillis(),
            record.requestId()));
    record
        .trace()
        .end(
            new RequestSpan.Result(
                x.status,
                record.outcome().label(),
                record.outcome() == Outcome.SUCCESS ? null : errorType(x),
                record.backend(),
                record.responseModel(),
                record.attempts(),
                record.inputTokens(),
                record.outputTokens(),
                record.validation(),
                record.repairs(),
                record.fallbackReason()));
    // The response is complete: judging it and mirroring it to candidates cannot delay it.
    shadows.answered(x.rt, x.call, record);
  }

  /** The error code the client was sent, or the outcome when none was (a stream cut short). */
  private static String errorType(Exchange x) {
    return x.errorCode != null ? x.errorCode : x.record.outcome().label();
  }
}
