package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Backoff;
import io.aihandler.router.config.FallbackTrigger;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.runtime.BackendHealth;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.runtime.RouterRuntime;
import io.aihandler.router.upstream.SseEventReader;
import io.aihandler.router.upstream.UpstreamClient;
import io.aihandler.router.validation.OutputValidator;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * Serves one request over its route: orders the targets, keeps the data policy on every attempt,
 * retries with backoff, validates and repairs output, and falls back, until an answer is valid or
 * the attempts, the time or the targets run out.
 *
 * <p>Retries never starve fallbacks: a target is retried only while enough attempts remain for
 * each remaining eligible target to be tried once.
 */
public final class RequestRouter {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String REQUEST_TIMEOUT = "request_timeout";
  private static final String STREAM_IDLE_TIMEOUT = "stream_idle_timeout";
  private static final String FIRST_TOKEN_TIMEOUT = "first_token_timeout";

  private final UpstreamClient upstream;
  private final CredentialStore credentials;
  private final BackendHealth health;
  private final RouterMetrics metrics;
  private final RandomGenerator random;
  // Backoff settings per route, built once: the function checks its arguments on creation.
  private final Map<Backoff, IntervalFunction> backoffs = new ConcurrentHashMap<>();

  public RequestRouter(
      UpstreamClient upstream,
      CredentialStore credentials,
      BackendHealth health,
      RouterMetrics metrics,
      RandomGenerator random) {
    this.upstream = upstream;
    this.credentials = credentials;
    this.health = health;
    this.metrics = metrics;
    this.random = random;
  }

  /** A successful answer. */
  public record Answer(ObjectNode completion, JsonNode output) {}

  // ---- outcomes of one attempt ----

  private sealed interface Outcome {}

  private record Valid(ObjectNode completion, JsonNode output) implements Outcome {}

  private record Invalid(ObjectNode completion, String content, List<String> errors)
      implements Outcome {}

  /** A failed attempt; trigger null means no fallback can help (a client error). */
  private record Failed(UpstreamError error, FallbackTrigger trigger, boolean afterFirstByte)
      implements Outcome {}

  private record Streamed() implements Outcome {}

  /** Serves a non-streaming call (or a streaming one whose output must be validated first). */
  public Answer complete(RouterRuntime rt, RoutedCall call, CallRecord record) {
    Answer[] answer = new Answer[1];
    route(
        rt,
        call,
        record,
        (b, request, ctx, deadline) -> {
          Outcome o = attemptWhole(b, request, ctx, deadline, call, record);
          if (o instanceof Valid v) {
            answer[0] = new Answer(v.completion(), v.output());
          }
          return o;
        });
    return answer[0];
  }

  /**
   * Serves a streaming call. Falls back only before the first chunk reaches the sink; after it, a
   * failure ends the stream with an error event.
   */
  public void stream(RouterRuntime rt, RoutedCall call, CallRecord record, ChunkSink sink)
      throws IOException {
    if (call.validator() != null) {
      // Output with a schema is validated before the client sees any of it.
      // Only top-level fields change: a copy of the top level leaves the client's request intact.
      ObjectNode whole = JsonNodeFactory.instance.objectNode().setAll(call.request());
      whole.put("stream", false);
      whole.remove("stream_options");
      RoutedCall buffered =
          new RoutedCall(
              call.endpoint(), call.requestedModel(), call.taskName(), call.route(), whole,
              call.validator(), call.schemaName(), call.maxRepairAttempts(), call.decision(),
              call.timeout(), call.clientWantsUsage());
      Answer a = complete(rt, buffered, record);
      sink.begin();
      for (ObjectNode chunk : CompletionChunks.of(a.completion(), call.clientWantsUsage())) {
        sink.chunk(chunk);
      }
      sink.done();
      return;
    }
    route(
        rt,
        call,
        record,
        (b, request, ctx, deadline) -> attemptStream(b, request, ctx, deadline, call, record, sink));
  }

  @FunctionalInterface
  private interface Attempt {
    Outcome run(BackendRuntime b, ObjectNode request, TranslationContext ctx, long deadline)
        throws IOException;
  }

  private void route(RouterRuntime rt, RoutedCall call, CallRecord record, Attempt attempt) {
    Route route = call.route();
    long deadline = System.nanoTime() + call.timeout().toNanos();
    List<BackendRuntime> order = eligibleTargets(rt, call);
    Set<FallbackTrigger> fallbackOn = route.fallbackTriggers();
    IntervalFunction backoff = backoffs.computeIfAbsent(route.backoff(), RequestRouter::backoffOf);
    int attemptsLeft = route.maxAttempts();
    Failed last = null;
    boolean outOfTime = false;
    String responseId = responseId();
    long created = System.currentTimeMillis() / 1000;

    targets:
    for (int i = 0; i < order.size(); i++) {
      BackendRuntime b = order.get(i);
      int laterTargets = order.size() - i - 1;
      ObjectNode request = call.request();
      int repairs = 0;
      int retries = 0;
      while (true) {
        if (System.nanoTime() >= deadline) {
          outOfTime = true;
          break targets;
        }
        if (attemptsLeft <= 0) {
          break targets;
        }
        long charged = TokenEstimate.of(request, b.config().defaultMaxTokens());
        Failed refused = admit(b, charged);
        if (refused != null) {
          last = refused;
          record.failures.add(b.name() + ": " + refused.error().message());
          if (!fallbackOn.contains(FallbackTrigger.UNAVAILABLE)) {
            break targets;
          }
          metrics.fallback(route.name(), b.name(), "unavailable");
          continue targets;
        }
        attemptsLeft--;
        record.attempts++;
        record.backend = b.name();
        TranslationContext ctx = context(b, call, responseId, created);
        long tokensBefore = record.inputTokens + record.outputTokens;
        Outcome o;
        try {
          o = attempt.run(b, request, ctx, deadline);
        } catch (IOException clientGone) {
          // The client went away while we were streaming to it: nothing left to serve.
          record.outcome = "client_closed";
          return;
        } finally {
          b.concurrency().release();
          long used = record.inputTokens + record.outputTokens - tokensBefore;
          if (used > 0) {
            // The provider's count replaces the estimate; without one the estimate stands.
            b.tokens().correct(charged, used, System.nanoTime());
          }
        }
        switch (o) {
          case Valid v -> {
            return;
          }
          case Streamed s -> {
            return;
          }
          case Invalid inv -> {
            metrics.validationFailure(taskLabel(call), b.name());
            last =
                new Failed(
                    new UpstreamError(
                        502, UpstreamError.Kind.SERVER_ERROR, "server_error", "invalid_output",
                        "output of backend " + b.name() + " does not match the schema: "
                            + String.join("; ", inv.errors().subList(0, Math.min(5, inv.errors().size()))),
                        null),
                    FallbackTrigger.INVALID_OUTPUT, false);
            record.failures.add(b.name() + ": invalid output");
            if (repairs < call.maxRepairAttempts() && attemptsLeft > 0) {
              repairs++;
              metrics.repairAttempt(taskLabel(call), b.name());
              request = repairRequest(request, inv);
              continue;
            }
            if (!fallbackOn.contains(FallbackTrigger.INVALID_OUTPUT)) {
              break targets;
            }
            metrics.fallback(route.name(), b.name(), "invalidOutput");
            continue targets;
          }
          case Failed f -> {
            last = f;
            record.failures.add(b.name() + ": " + shortReason(f));
            if (REQUEST_TIMEOUT.equals(f.error().code())) {
              // The whole request's time is spent: no retry or fallback could run anyway.
              outOfTime = true;
              if (f.afterFirstByte()) {
                record.outcome = "timeout";
                return;
              }
              break targets;
            }
            if (f.afterFirstByte()) {
              record.outcome = "stream_error";
              return;
            }
            if (f.trigger() == null) {
              break targets; // a client error: another backend would refuse it too
            }
            boolean canFallBack = fallbackOn.contains(f.trigger()) && laterTargets > 0;
            boolean retryable =
                f.trigger() != FallbackTrigger.UNAVAILABLE
                    && attemptsLeft > (canFallBack ? laterTargets : 0);
            if (retryable) {
              long waitMillis = backoff.apply(retries + 1);
              Duration retryAfter = f.error().retryAfter();
              boolean retryAfterTooLong =
                  retryAfter != null
                      && retryAfter.compareTo(route.backoff().maxDuration()) > 0
                      && canFallBack;
              if (retryAfter != null) {
                waitMillis = Math.max(waitMillis, retryAfter.toMillis());
              }
              boolean fits =
                  System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis) < deadline;
              if (fits && !retryAfterTooLong) {
                retries++;
                metrics.retry(b.name(), triggerName(f.trigger()));
                long slept = System.nanoTime();
                sleep(waitMillis);
                record.upstreamNanos += System.nanoTime() - slept;
                continue;
              }
            }
            if (!canFallBack) {
              break targets;
            }
            metrics.fallback(route.name(), b.name(), triggerName(f.trigger()));
            continue targets;
          }
        }
      }
    }
    throw outOfTime ? requestTimeout(call, record) : failure(call, record, last);
  }

  /** The route's targets in strategy order, without those the request's data class forbids. */
  private List<BackendRuntime> eligibleTargets(RouterRuntime rt, RoutedCall call) {
    TargetOrdering.Ordered ordered =
        TargetOrdering.order(
            call.route(),
            name -> {
              BackendRuntime b = rt.backend(name);
              return b == null ? null : b.config();
            },
            backend -> call.decision().allows(backend.locality()),
            health,
            random);
    List<String> forbidden = new ArrayList<>();
    for (RouteTarget t : ordered.withheld()) {
      if (rt.backend(t.backend()) != null) {
        forbidden.add(t.backend());
        metrics.dataPolicyBlock(call.decision().label(), t.backend());
      }
    }
    List<BackendRuntime> out = new ArrayList<>(ordered.eligible().size());
    for (RouteTarget t : ordered.eligible()) {
      out.add(rt.backend(t.backend()));
    }
    if (out.isEmpty()) {
      throw new ApiException(
          403,
          "permission_error",
          "data_policy_blocked",
          "data class "
              + call.decision().label()
              + " may reach only "
              + call.decision().allowed().stream()
                  .map(l -> l.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                  .toList()
              + " backends, and route "
              + call.route().name()
              + " has none of them (withheld: "
              + String.join(", ", forbidden)
              + "); nothing was sent");
    }
    return out;
  }

  /**
   * Takes the backend's circuit, concurrency, token and rate permits; a refusal when one is
   * missing.
   *
   * @param tokens the attempt's estimated tokens, charged to the backend's tokens-per-minute
   */
  private Failed admit(BackendRuntime b, long tokens) {
    if (b.translator() == null) {
      return unavailable(b, b.translatorProblem());
    }
    if (b.config().credentials() != null && credentials.key(b.config()) == null) {
      return unavailable(b, "no API key is available for backend " + b.name());
    }
    if (!b.breaker().tryAcquirePermission()) {
      return unavailable(b, "the circuit of backend " + b.name() + " is open");
    }
    if (!b.concurrency().tryAcquire()) {
      b.breaker().releasePermission();
      return unavailable(b, "backend " + b.name() + " is at its concurrency limit");
    }
    if (!b.tokens().tryTake(tokens, System.nanoTime())) {
      b.breaker().releasePermission();
      b.concurrency().release();
      return unavailable(b, "backend " + b.name() + " is at its tokens-per-minute limit");
    }
    if (!b.rate().tryTake(System.currentTimeMillis())) {
      b.tokens().correct(tokens, 0, System.nanoTime());
      b.breaker().releasePermission();
      b.concurrency().release();
      return unavailable(b, "backend " + b.name() + " is at its requests-per-minute limit");
    }
    return null;
  }

  private static Failed unavailable(BackendRuntime b, String message) {
    return new Failed(
        new UpstreamError(503, UpstreamError.Kind.SERVER_ERROR, "server_error", "backend_unavailable",
            message, null),
        FallbackTrigger.UNAVAILABLE,
        false);
  }

  private TranslationContext context(
      BackendRuntime b, RoutedCall call, String responseId, long created) {
    Backend cfg = b.config();
    return new TranslationContext(
        cfg.model(),
        call.requestedModel(),
        responseId,
        created,
        call.validator() == null ? null : call.validator().schemaNode(),
        call.schemaName(),
        cfg.capabilities().structuredOutput().name().toLowerCase(Locale.ROOT),
        cfg.defaultMaxTokens(),
        // Usage is always asked for so every call is metered; the sink drops it if unwanted.
        true);
  }

  // ---- one non-streaming attempt ----

  private Outcome attemptWhole(
      BackendRuntime b,
      ObjectNode request,
      TranslationContext ctx,
      long deadline,
      RoutedCall call,
      CallRecord record) {
    UpstreamRequest up;
    try {
      up = b.translator().toUpstream(request, ctx);
    } catch (RuntimeException e) {
      b.breaker().releasePermission();
      return new Failed(translationRefused(e), null, false);
    }
    failClosed(b, call);
    long started = System.nanoTime();
    Duration perTry = call.route().perTryTimeoutDuration();
    Duration timeout = min(perTry, remaining(deadline));
    try {
      UpstreamClient.Response r =
          upstream.send(uri(b, up), headers(b, up), bytes(up.body()), timeout);
      long took = System.nanoTime() - started;
      record.upstreamNanos += took;
      if (r.status() / 100 != 2) {
        UpstreamError err = redacted(b.translator().toError(r.status(), text(r.body()), r.headers()));
        recordBreaker(b, err.kind(), took);
        metrics.upstream(b.name(), "http_" + r.status(), Duration.ofNanos(took));
        return new Failed(err, trigger(err.kind()), false);
      }
      ObjectNode completion;
      try {
        completion = b.translator().toChatCompletion(MAPPER.readTree(r.body()), ctx);
      } catch (IOException | RuntimeException e) {
        b.breaker().onError(took, TimeUnit.NANOSECONDS, e);
        metrics.upstream(b.name(), "bad_response", Duration.ofNanos(took));
        return new Failed(
            new UpstreamError(502, UpstreamError.Kind.SERVER_ERROR, "server_error", "bad_upstream_response",
                "backend " + b.name() + " sent an answer that is not a chat completion", null),
            FallbackTrigger.SERVER_ERROR, false);
      }
      b.breaker().onSuccess(took, TimeUnit.NANOSECONDS);
      health.recordLatency(b.name(), TimeUnit.NANOSECONDS.toMillis(took));
      metrics.upstream(b.name(), "ok", Duration.ofNanos(took));
      meter(b, completion.get("usage"), record);
      return judge(completion, call.validator());
    } catch (UpstreamClient.UpstreamTimeoutException e) {
      long took = System.nanoTime() - started;
      record.upstreamNanos += took;
      b.breaker().onError(took, TimeUnit.NANOSECONDS, e);
      metrics.upstream(b.name(), "timeout", Duration.ofNanos(took));
      return timeout.compareTo(perTry) < 0 ? requestTimedOut(b, call, false) : timeout(b, timeout);
    } catch (IOException e) {
      long took = System.nanoTime() - started;
      record.upstreamNanos += took;
      b.breaker().onError(took, TimeUnit.NANOSECONDS, e);
      metrics.upstream(b.name(), "connection_error", Duration.ofNanos(took));
      return connectionFailed(b);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      b.breaker().releasePermission();
      throw new ApiException(503, "server_error", "shutting_down", "the sidecar is shutting down");
    }
  }

  /** Validates a completion's answer when a schema applies. */
  private static Outcome judge(ObjectNode completion, OutputValidator validator) {
    if (validator == null) {
      return new Valid(completion, null);
    }
    JsonNode choice = completion.path("choices").path(0);
    String finish = choice.path("finish_reason").asText("");
    if ("tool_calls".equals(finish)) {
      // The model asks the application to run tools; the answer comes in a later turn.
      return new Valid(completion, null);
    }
    String content = choice.path("message").path("content").asText(null);
    if ("length".equals(finish)) {
      return new Invalid(
          completion, content,
          List.of("the answer was cut off at the token limit (finish_reason length)"));
    }
    OutputValidator.Verdict verdict = validator.check(content);
    if (!verdict.valid()) {
      return new Invalid(completion, content, verdict.errors());
    }
    // Hand on the bare JSON even when the model wrapped it in a code fence.
    ((ObjectNode) choice.path("message")).put("content", verdict.value().toString());
    return new Valid(completion, verdict.value());
  }

  private static ObjectNode repairRequest(ObjectNode request, Invalid inv) {
    ObjectNode repaired = request.deepCopy();
    ArrayNode messages = repaired.withArray("messages");
    ObjectNode assistant = messages.addObject();
    assistant.put("role", "assistant");
    assistant.put("content", inv.content() == null ? "" : inv.content());
    ObjectNode user = messages.addObject();
    user.put("role", "user");
    user.put(
        "content",
        "Your previous answer is not valid: "
            + String.join("; ", inv.errors())
            + ". Answer again with one JSON value only that matches the required schema.");
    return repaired;
  }

  // ---- one streaming attempt ----

  private Outcome attemptStream(
      BackendRuntime b,
      ObjectNode request,
      TranslationContext ctx,
      long deadline,
      RoutedCall call,
      CallRecord record,
      ChunkSink sink)
      throws IOException {
    UpstreamRequest up;
    try {
      up = b.translator().toUpstream(request, ctx);
    } catch (RuntimeException e) {
      b.breaker().releasePermission();
      return new Failed(translationRefused(e), null, false);
    }
    failClosed(b, call);
    Route route = call.route();
    long started = System.nanoTime();
    long firstTokenDeadline =
        Math.min(deadline, started + route.firstTokenTimeoutDuration().toNanos());
    UpstreamClient.StreamResponse sr;
    try {
      sr =
          upstream.open(
              uri(b, up), headers(b, up), bytes(up.body()), remaining(firstTokenDeadline),
              remaining(deadline));
    } catch (UpstreamClient.UpstreamTimeoutException e) {
      Failed failed =
          firstTokenDeadline == deadline
              ? requestTimedOut(b, call, false)
              : timeout(b, route.firstTokenTimeoutDuration());
      return streamFailedEarly(b, started, record, e, failed);
    } catch (IOException e) {
      return streamFailedEarly(b, started, record, e, connectionFailed(b));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      b.breaker().releasePermission();
      throw new ApiException(503, "server_error", "shutting_down", "the sidecar is shutting down");
    }
    if (sr.status() / 100 != 2) {
      byte[] body = UpstreamClient.readErrorBody(sr.body());
      long took = System.nanoTime() - started;
      record.upstreamNanos += took;
      UpstreamError err = redacted(b.translator().toError(sr.status(), text(body), sr.headers()));
      recordBreaker(b, err.kind(), took);
      metrics.upstream(b.name(), "http_" + sr.status(), Duration.ofNanos(took));
      return new Failed(err, trigger(err.kind()), false);
    }
    StreamTranslator st = b.translator().newStream(ctx);
    AtomicBoolean expired = new AtomicBoolean();
    Duration idle = route.streamIdleTimeoutDuration();
    boolean begun = false;
    InputStream body = sr.body();
    try (SseEventReader reader = new SseEventReader(body)) {
      while (true) {
        long now = System.nanoTime();
        long idleUntil = now + idle.toNanos();
        long limit = begun ? deadline : firstTokenDeadline;
        long waitUntil = Math.min(limit, idleUntil);
        // Which limit a silence until waitUntil breaks, for an error that names it.
        String expiry =
            waitUntil == idleUntil
                ? STREAM_IDLE_TIMEOUT
                : limit == deadline ? REQUEST_TIMEOUT : FIRST_TOKEN_TIMEOUT;
        ScheduledFuture<?> timer =
            upstream.schedule(
                Duration.ofNanos(Math.max(0, waitUntil - now)),
                () -> {
                  expired.set(true);
                  closeQuietly(body);
                });
        SseEventReader.Event ev;
        try {
          ev = reader.next();
        } catch (IOException readFailed) {
          ev = null;
          if (!expired.get()) {
            throw new UpstreamStreamException(
                new UpstreamError(502, UpstreamError.Kind.SERVER_ERROR, "server_error", "stream_broken",
                    "the stream from backend " + b.name() + " broke off", null));
          }
        } finally {
          timer.cancel(false);
        }
        if (expired.get()) {
          throw new StreamTimeout(expiry);
        }
        List<ObjectNode> chunks = ev == null ? st.onEnd() : st.onEvent(ev.event(), ev.data());
        for (ObjectNode chunk : chunks) {
          ObjectNode out = meterChunk(b, chunk, record, call.clientWantsUsage());
          if (out == null) {
            continue;
          }
          if (!begun) {
            sink.begin();
            begun = true;
          }
          sink.chunk(out);
        }
        if (ev == null) {
          break;
        }
      }
    } catch (IOException clientGone) {
      // The client left mid-stream: the backend did nothing wrong, so the attempt counts neither
      // for nor against its circuit.
      record.upstreamNanos += System.nanoTime() - started;
      b.breaker().releasePermission();
      throw clientGone;
    } catch (UpstreamStreamException e) {
      return streamFailed(b, started, record, sink, begun, redacted(e.error()), trigger(e.error().kind()), e);
    } catch (StreamTimeout e) {
      UpstreamError err =
          switch (e.getMessage()) {
            case REQUEST_TIMEOUT -> requestTimedOut(b, call, begun).error();
            case STREAM_IDLE_TIMEOUT ->
                new UpstreamError(504, UpstreamError.Kind.SERVER_ERROR, "timeout_error", STREAM_IDLE_TIMEOUT,
                    "backend " + b.name() + " sent nothing for " + idle.toMillis()
                        + " ms (streamIdleTimeout)", null);
            default -> timeout(b, route.firstTokenTimeoutDuration()).error();
          };
      return streamFailed(b, started, record, sink, begun, err, FallbackTrigger.TIMEOUT, e);
    } catch (RuntimeException e) {
      UpstreamError err =
          new UpstreamError(502, UpstreamError.Kind.SERVER_ERROR, "server_error", "bad_upstream_stream",
              "backend " + b.name() + " sent a stream that cannot be read", null);
      return streamFailed(b, started, record, sink, begun, err, FallbackTrigger.SERVER_ERROR, e);
    }
    long took = System.nanoTime() - started;
    record.upstreamNanos += took;
    b.breaker().onSuccess(took, TimeUnit.NANOSECONDS);
    health.recordLatency(b.name(), TimeUnit.NANOSECONDS.toMillis(took));
    metrics.upstream(b.name(), "ok", Duration.ofNanos(took));
    if (!begun) {
      sink.begin();
    }
    sink.done();
    return new Streamed();
  }

  private static final class StreamTimeout extends RuntimeException {
    StreamTimeout(String what) {
      super(what, null, false, false);
    }
  }

  private Outcome streamFailedEarly(
      BackendRuntime b, long started, CallRecord record, IOException e, Failed failed) {
    long took = System.nanoTime() - started;
    record.upstreamNanos += took;
    b.breaker().onError(took, TimeUnit.NANOSECONDS, e);
    metrics.upstream(b.name(), failed.trigger() == FallbackTrigger.TIMEOUT ? "timeout" : "connection_error",
        Duration.ofNanos(took));
    return failed;
  }

  private Outcome streamFailed(
      BackendRuntime b,
      long started,
      CallRecord record,
      ChunkSink sink,
      boolean begun,
      UpstreamError err,
      FallbackTrigger trigger,
      Throwable cause)
      throws IOException {
    long took = System.nanoTime() - started;
    record.upstreamNanos += took;
    b.breaker().onError(took, TimeUnit.NANOSECONDS, cause);
    metrics.upstream(b.name(), "stream_error", Duration.ofNanos(took));
    if (begun) {
      sink.error(new ApiException(err.status(), err.type(), err.code(), err.message()));
      return new Failed(err, trigger, true);
    }
    return new Failed(err, trigger, false);
  }

  /** Meters a chunk's usage; returns the chunk to send, or null to drop an unwanted usage chunk. */
  private ObjectNode meterChunk(
      BackendRuntime b, ObjectNode chunk, CallRecord record, boolean clientWantsUsage) {
    JsonNode usage = chunk.get("usage");
    if (usage != null && usage.isObject()) {
      meter(b, usage, record);
    }
    if (usage != null && !clientWantsUsage) {
      if (chunk.path("choices").isEmpty()) {
        return null;
      }
      chunk.remove("usage");
    }
    return chunk;
  }

  private void meter(BackendRuntime b, JsonNode usage, CallRecord record) {
    if (usage == null || !usage.isObject()) {
      return;
    }
    long in = usage.path("prompt_tokens").asLong(0);
    long out = usage.path("completion_tokens").asLong(0);
    double cost = b.config().pricing() == null ? 0 : b.config().pricing().cost(in, out);
    record.inputTokens += in;
    record.outputTokens += out;
    record.cost += cost;
    metrics.usage(b.name(), in, out, cost);
  }

  // ---- shared pieces ----

  /** The last line of defence of the data policy, right before bytes leave. */
  private static void failClosed(BackendRuntime b, RoutedCall call) {
    if (!call.decision().allows(b.config().locality())) {
      throw new IllegalStateException(
          "data class " + call.decision().label() + " forbids backend " + b.name());
    }
  }

  private void recordBreaker(BackendRuntime b, UpstreamError.Kind kind, long tookNanos) {
    switch (kind) {
      case SERVER_ERROR, AUTHENTICATION ->
          b.breaker().onError(tookNanos, TimeUnit.NANOSECONDS, new IOException(kind.name()));
      case RATE_LIMITED -> b.breaker().releasePermission();
      case CLIENT_ERROR -> b.breaker().onSuccess(tookNanos, TimeUnit.NANOSECONDS);
    }
  }

  private static FallbackTrigger trigger(UpstreamError.Kind kind) {
    return switch (kind) {
      case SERVER_ERROR -> FallbackTrigger.SERVER_ERROR;
      case RATE_LIMITED -> FallbackTrigger.RATE_LIMITED;
      case AUTHENTICATION -> FallbackTrigger.UNAVAILABLE;
      case CLIENT_ERROR -> null;
    };
  }

  private static Failed timeout(BackendRuntime b, Duration after) {
    return new Failed(
        new UpstreamError(504, UpstreamError.Kind.SERVER_ERROR, "timeout_error", "upstream_timeout",
            "backend " + b.name() + " did not answer within " + after.toMillis() + " ms", null),
        FallbackTrigger.TIMEOUT, false);
  }

  /** An attempt cut short because the whole request's time ran out. */
  private static Failed requestTimedOut(BackendRuntime b, RoutedCall call, boolean afterFirstByte) {
    return new Failed(
        new UpstreamError(504, UpstreamError.Kind.SERVER_ERROR, "timeout_error", REQUEST_TIMEOUT,
            "the request's timeout of " + call.timeout().toMillis() + " ms ran out while waiting for"
                + " backend " + b.name(), null),
        FallbackTrigger.TIMEOUT, afterFirstByte);
  }

  private static ApiException requestTimeout(RoutedCall call, CallRecord record) {
    record.outcome = "timeout";
    String summary =
        record.failures.isEmpty() ? "" : " (attempts: " + String.join("; ", record.failures) + ")";
    return new ApiException(504, "timeout_error", REQUEST_TIMEOUT,
        "the request did not complete within its timeout of " + call.timeout().toMillis() + " ms"
            + summary);
  }

  private static Failed connectionFailed(BackendRuntime b) {
    return new Failed(
        new UpstreamError(502, UpstreamError.Kind.SERVER_ERROR, "server_error", "upstream_unreachable",
            "backend " + b.name() + " could not be reached", null),
        FallbackTrigger.SERVER_ERROR, false);
  }

  private static UpstreamError translationRefused(RuntimeException e) {
    String message = e.getMessage() == null ? "the request cannot be translated" : e.getMessage();
    return new UpstreamError(400, UpstreamError.Kind.CLIENT_ERROR, "invalid_request_error",
        "unsupported_request", message, null);
  }

  private UpstreamError redacted(UpstreamError e) {
    return new UpstreamError(e.status(), e.kind(), e.type(), e.code(), credentials.redact(e.message()),
        e.retryAfter());
  }

  private ApiException failure(RoutedCall call, CallRecord record, Failed last) {
    if (last == null) {
      record.outcome = "timeout";
      return new ApiException(504, "timeout_error", "request_timeout",
          "no attempt could be made within the route's time or attempt budget");
    }
    UpstreamError e = last.error();
    String summary =
        record.failures.isEmpty() ? "" : " (attempts: " + String.join("; ", record.failures) + ")";
    record.outcome = outcomeOf(last);
    int status = e.status();
    if (e.kind() == UpstreamError.Kind.SERVER_ERROR && status >= 500 && status != 503 && status != 504) {
      // An upstream's own failure is a bad gateway from the client's point of view.
      status = 502;
    }
    if (e.kind() == UpstreamError.Kind.AUTHENTICATION) {
      // The client's own credentials are fine; the sidecar's key for the backend is not.
      status = 502;
    }
    return new ApiException(status, e.type(), e.code(), e.message() + summary);
  }

  private static String outcomeOf(Failed f) {
    if (f.trigger() == null) {
      return "client_error";
    }
    return switch (f.trigger()) {
      case INVALID_OUTPUT -> "invalid_output";
      case TIMEOUT -> "timeout";
      case RATE_LIMITED -> "rate_limited";
      case UNAVAILABLE -> "unavailable";
      case SERVER_ERROR -> "upstream_error";
    };
  }

  private static String shortReason(Failed f) {
    if (f.trigger() == FallbackTrigger.TIMEOUT) {
      return "timeout";
    }
    return "HTTP " + f.error().status() + (f.error().code() == null ? "" : " " + f.error().code());
  }

  private static String triggerName(FallbackTrigger t) {
    return switch (t) {
      case SERVER_ERROR -> "serverError";
      case RATE_LIMITED -> "rateLimited";
      case TIMEOUT -> "timeout";
      case INVALID_OUTPUT -> "invalidOutput";
      case UNAVAILABLE -> "unavailable";
    };
  }

  private static IntervalFunction backoffOf(Backoff b) {
    return IntervalFunction.ofExponentialRandomBackoff(b.initialDuration(), 2.0, 0.5, b.maxDuration());
  }

  /**
   * A response id in OpenAI's shape: {@code chatcmpl-} and 32 hex digits. It names a response, it
   * guards nothing, so it needs no secure random source (whose lock every request would share).
   */
  private static String responseId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] id = new char[9 + 32];
    "chatcmpl-".getChars(0, 9, id, 0);
    for (int i = 0; i < 2; i++) {
      long bits = r.nextLong();
      for (int j = 0; j < 16; j++) {
        id[9 + i * 16 + j] = Character.forDigit((int) (bits >>> (j * 4)) & 0xf, 16);
      }
    }
    return new String(id);
  }

  private static String taskLabel(RoutedCall call) {
    return call.taskName() == null ? "none" : call.taskName();
  }

  private static URI uri(BackendRuntime b, UpstreamRequest up) {
    return URI.create(b.config().effectiveBaseUrl() + up.path());
  }

  private Map<String, String> headers(BackendRuntime b, UpstreamRequest up) {
    Map<String, String> h = new HashMap<>(up.headers());
    String key = credentials.key(b.config());
    if (key != null) {
      h.putAll(b.translator().authHeaders(key));
    }
    return h;
  }

  private static byte[] bytes(JsonNode body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  private static String text(byte[] body) {
    return body == null ? "" : new String(body, StandardCharsets.UTF_8);
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "server_error", "shutting_down", "the sidecar is shutting down");
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // closing only unblocks the reader
    }
  }
}
