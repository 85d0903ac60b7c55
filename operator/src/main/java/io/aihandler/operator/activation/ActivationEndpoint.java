package io.aihandler.operator.activation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.aihandler.operator.activation.ActivationMetrics.Result;
import io.aihandler.router.config.Activation;
import io.aihandler.router.config.CapacityState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /activations}: a router sidecar asks for a vLLM backend with no ready replica. In
 * order: a bounded JSON body naming {@code namespace/name} (400, 413), a bearer token (401), the
 * TokenReview for audience {@value Activation#AUDIENCE} (401; at most {@link #MAX_REVIEWS} at once,
 * more get 503), a per-namespace rate limit (429), a Workflow of the caller's namespace whose
 * published config includes the backend (403, before anything reveals whether the backend exists),
 * a per namespace+backend rate limit (429), then {@link BackendActivation}: 200 already ready, 202
 * accepted, 404 no such vLLM backend, 409 fixed at zero replicas. 503 while the operator's caches
 * are not synced or the API server cannot be asked. Answers are {@code {"modelBackend", "state",
 * "message"}}; neither they nor the logs ever contain the token.
 */
public final class ActivationEndpoint implements HttpHandler {

  /** The path the endpoint is served on. */
  public static final String PATH = "/activations";

  /** TokenReviews in flight at once per replica; the API server's load stays bounded. */
  static final int MAX_REVIEWS = 16;

  /** Longest token accepted; projected tokens are about 1 KiB. */
  static final int MAX_TOKEN_CHARS = 16 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(ActivationEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TokenReviewer reviewer;
  private final WorkflowBackends workflows;
  private final BackendActivation activation;
  private final RateLimiter perNamespace;
  private final RateLimiter perBackend;
  private final ActivationMetrics metrics;
  private final BooleanSupplier ready;
  private final Semaphore reviews = new Semaphore(MAX_REVIEWS);

  ActivationEndpoint(
      TokenReviewer reviewer,
      WorkflowBackends workflows,
      BackendActivation activation,
      RateLimiter perNamespace,
      RateLimiter perBackend,
      ActivationMetrics metrics,
      BooleanSupplier ready) {
    this.reviewer = reviewer;
    this.workflows = workflows;
    this.activation = activation;
    this.perNamespace = perNamespace;
    this.perBackend = perBackend;
    this.metrics = metrics;
    this.ready = ready;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Reply reply;
      try {
        reply = answer(exchange);
      } catch (RuntimeException e) {
        // The class only: an API error's message may quote the request it failed on.
        LOG.warn("Activation failed: {}", e.getClass().getSimpleName());
        reply =
            Reply.of(
                503,
                null,
                null,
                "the operator cannot reach the Kubernetes API; retry shortly",
                Duration.ofSeconds(2));
        metrics.record(ActivationMetrics.UNKNOWN, ActivationMetrics.UNKNOWN, Result.UNAVAILABLE);
      }
      send(exchange, reply);
    }
  }

  private Reply answer(HttpExchange exchange) throws IOException {
    String unknown = ActivationMetrics.UNKNOWN;
    if (!"POST".equals(exchange.getRequestMethod())) {
      metrics.record(unknown, unknown, Result.INVALID);
      return Reply.of(405, null, null, "activations are POSTed", null);
    }
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null && !fits(length)) {
      metrics.record(unknown, unknown, Result.INVALID);
      return Reply.of(
          413, null, null, "body larger than " + ActivationRequest.MAX_BODY_BYTES + " bytes", null);
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(ActivationRequest.MAX_BODY_BYTES + 1);
    }
    if (body.length > ActivationRequest.MAX_BODY_BYTES) {
      metrics.record(unknown, unknown, Result.INVALID);
      return Reply.of(
          413, null, null, "body larger than " + ActivationRequest.MAX_BODY_BYTES + " bytes", null);
    }
    Optional<String> token = bearer(exchange.getRequestHeaders().getFirst("Authorization"));
    if (token.isEmpty()) {
      metrics.record(unknown, unknown, Result.UNAUTHENTICATED);
      return Reply.of(
          401, null, null, "a bearer token for " + Activation.AUDIENCE + " is required", null);
    }
    Optional<ActivationRequest> parsed = ActivationRequest.parse(body);
    if (parsed.isEmpty()) {
      metrics.record(unknown, unknown, Result.INVALID);
      return Reply.of(
          400, null, null, "the body must be {\"modelBackend\": \"<namespace>/<name>\"}", null);
    }
    ActivationRequest request = parsed.get();
    if (!ready.getAsBoolean()) {
      metrics.record(unknown, unknown, Result.UNAVAILABLE);
      return Reply.of(503, null, null, "the operator is starting", Duration.ofSeconds(2));
    }
    if (!reviews.tryAcquire()) {
      metrics.record(unknown, unknown, Result.UNAVAILABLE);
      return Reply.of(503, null, null, "too many activations at once", Duration.ofSeconds(1));
    }
    Optional<Caller> caller;
    try {
      caller = reviewer.review(token.get(), Activation.AUDIENCE);
    } finally {
      reviews.release();
    }
    if (caller.isEmpty()) {
      metrics.record(unknown, unknown, Result.UNAUTHENTICATED);
      return Reply.of(
          401,
          null,
          null,
          "the token is not a valid ServiceAccount token for " + Activation.AUDIENCE,
          null);
    }
    String namespace = caller.get().namespace();
    Optional<Duration> wait = perNamespace.acquire(namespace);
    if (wait.isPresent()) {
      metrics.record(namespace, unknown, Result.RATE_LIMITED);
      return Reply.of(
          429, null, null, "too many activations from namespace " + namespace, wait.get());
    }
    if (!workflows.includes(namespace, request.key())) {
      metrics.record(namespace, unknown, Result.FORBIDDEN);
      LOG.info(
          "Refused activation from {}/{}: no Workflow of namespace {} routes to {}",
          namespace,
          caller.get().serviceAccount(),
          namespace,
          request.key());
      return Reply.of(
          403,
          request.key(),
          null,
          "no Workflow of namespace " + namespace + " routes to " + request.key(),
          null);
    }
    wait = perBackend.acquire(namespace + " " + request.key());
    if (wait.isPresent()) {
      metrics.record(namespace, request.key(), Result.RATE_LIMITED);
      return Reply.of(
          429,
          request.key(),
          null,
          "activations of " + request.key() + " are rate-limited",
          wait.get());
    }
    BackendActivation.Answer answer = activation.activate(request);
    Result result =
        switch (answer.outcome()) {
          case ALREADY_READY -> Result.ALREADY_READY;
          case ACCEPTED -> Result.ACCEPTED;
          case NOT_FOUND -> Result.NOT_FOUND;
          case NOT_SCALABLE -> Result.NOT_SCALABLE;
        };
    metrics.record(namespace, request.key(), result);
    if (answer.outcome() == BackendActivation.Outcome.ACCEPTED) {
      LOG.info(
          "Activation of {} by {}/{}{}: {}",
          request.key(),
          namespace,
          caller.get().serviceAccount(),
          caller.get().pod() == null ? "" : " (pod " + caller.get().pod() + ")",
          answer.message());
    }
    int code =
        switch (answer.outcome()) {
          case ALREADY_READY -> 200;
          case ACCEPTED -> 202;
          case NOT_FOUND -> 404;
          case NOT_SCALABLE -> 409;
        };
    return Reply.of(code, request.key(), answer.state(), answer.message(), null);
  }

  private static boolean fits(String length) {
    try {
      return Long.parseLong(length.strip()) <= ActivationRequest.MAX_BODY_BYTES;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Optional<String> bearer(String header) {
    if (header == null || header.length() > MAX_TOKEN_CHARS + 7) {
      return Optional.empty();
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = header.substring(7).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  private record Reply(
      int status, String modelBackend, CapacityState state, String message, Duration retryAfter) {
    static Reply of(
        int status, String modelBackend, CapacityState state, String message, Duration retryAfter) {
      return new Reply(status, modelBackend, state, message, retryAfter);
    }
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    if (reply.modelBackend() != null) {
      body.put("modelBackend", reply.modelBackend());
    }
    if (reply.state() != null) {
      body.set("state", JSON.valueToTree(reply.state()));
    }
    body.put("message", reply.message());
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (reply.retryAfter() != null) {
      exchange
          .getResponseHeaders()
          .set(
              "Retry-After",
              String.valueOf(Math.max(1, (reply.retryAfter().toMillis() + 999) / 1000)));
    }
    exchange.sendResponseHeaders(reply.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
