package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Backoff;
import io.aihandler.router.config.Locality;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.provider.EmbeddingRequest;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.routing.AttemptResult.Failed;
import io.aihandler.router.routing.BackendAdmission.Permit;
import io.aihandler.router.routing.RetryState.Decision;
import io.aihandler.router.runtime.BackendHealth;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.ColdCapacity;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.runtime.RouterRuntime;
import io.aihandler.router.upstream.UpstreamClient;
import io.aihandler.router.upstream.UpstreamLimits;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Serves one request over its route: orders the targets, keeps the data policy on every attempt,
 * and runs attempts until an answer is valid or the attempts, the time or the targets run out. The
 * parts: {@link RetryState} decides what follows each attempt, {@link BackendAdmission} lets an
 * attempt reach a backend, {@link UnaryAttempt} and {@link StreamingAttempt} make it, and {@link
 * Failures} names what went wrong. One loop serves every kind of call; an {@link Operation} says
 * what differs between chat and embeddings (which backends serve it, how it is translated).
 *
 * <p>A target with no ready replica ({@link ColdCapacity}) is spilt over from or held for, as
 * {@link ColdRoute} decides, before any attempt reaches it. Time held is not spent from the
 * request's timeout: a hold is bounded by the route's {@code coldStartTimeout}, and the request's
 * timeout bounds the serving once a replica is ready.
 */
public final class RequestRouter {

  private final ColdCapacity cold;

  private final CredentialStore credentials;
  private final BackendHealth health;
  private final RouterMetrics metrics;
  private final RandomGenerator random;
  private final UpstreamClient upstream;
  private final BackendAdmission admission;
  private final UnaryAttempt unary;
  private final StreamingAttempt streaming;
  // Backoff settings per route, built once: the function checks its arguments on creation.
  private final Map<Backoff, IntervalFunction> backoffs = new ConcurrentHashMap<>();

  public RequestRouter(
      UpstreamClient upstream,
      CredentialStore credentials,
      BackendHealth health,
      RouterMetrics metrics,
      RandomGenerator random,
      ColdCapacity cold) {
    this.cold = cold;
    this.upstream = upstream;
    this.credentials = credentials;
    this.health = health;
    this.metrics = metrics;
    this.random = random;
    UsageMeter usage = new UsageMeter(metrics);
    this.admission = new BackendAdmission(credentials);
    this.unary = new UnaryAttempt(upstream, credentials, health, metrics, usage);
    this.streaming = new StreamingAttempt(upstream, credentials, health, metrics, usage);
  }

  /** A successful answer. */
  public record Answer(ObjectNode completion, JsonNode output) {}

  /**
   * Serves a non-streaming call (or a streaming one whose output must be validated first).
   *
   * @throws ClientLeftException when the client left while the request was held
   */
  public Answer complete(RouterRuntime rt, RoutedCall call, CallRecord record) {
    AttemptResult.Valid v = (AttemptResult.Valid) complete(rt, call, record, null);
    return new Answer(v.completion(), v.output());
  }

  /**
   * A whole answer; {@link AttemptResult.ClientGone} when the client of a held stream left.
   *
   * @param keepAlive where keep-alives go while the request is held; null for none
   */
  private AttemptResult complete(
      RouterRuntime rt, RoutedCall call, CallRecord record, HeldStream keepAlive) {
    UpstreamLimits limits = UpstreamLimits.of(rt.config().sidecar());
    AttemptResult r =
        route(
            rt,
            call,
            record,
            new Chat(
                call,
                (b, out, ctx, deadline, permit) ->
                    unary.run(b, out, ctx, deadline, call, record, permit, limits)),
            keepAlive);
    if (r instanceof AttemptResult.Valid v) {
      record.output = v.output();
    }
    return r;
  }

  /**
   * Serves a streaming call. Falls back only before the first chunk reaches the sink; after it, a
   * failure ends the stream with an error event. A client that goes away, or stops reading past the
   * request's timeout or the stream-idle limit, ends the call with {@link Outcome#CLIENT_CLOSED} or
   * {@link Outcome#TIMEOUT} in the record, its upstream call cancelled.
   *
   * @throws IOException when the client went away while a validated answer was written whole
   * @throws ClientLeftException when the client left while held, before any keep-alive
   */
  public void stream(RouterRuntime rt, RoutedCall call, CallRecord record, ChunkSink sink)
      throws IOException {
    if (call.validator() != null) {
      streamValidated(rt, call, record, sink);
      return;
    }
    UpstreamLimits limits = UpstreamLimits.of(rt.config().sidecar());
    HeldStream held = new HeldStream(sink);
    try {
      route(
          rt,
          call,
          record,
          new Chat(
              call,
              (b, out, ctx, deadline, permit) ->
                  streaming.run(b, out, ctx, deadline, call, record, permit, sink, limits)),
          held);
    } catch (ApiException e) {
      held.failed(e, record);
      throw e;
    }
  }

  /**
   * Serves an embeddings call: only backends that serve embeddings, and after the first target only
   * those whose vectors are compatible with its, so one answer never mixes vector spaces.
   *
   * @return one vector per input, in input order
   * @throws ClientLeftException when the client left while the request was held
   */
  public Embeddings embed(
      RouterRuntime rt, RoutedCall call, EmbeddingRequest request, CallRecord record) {
    UpstreamLimits limits = UpstreamLimits.of(rt.config().sidecar());
    EmbeddingOperation op =
        new EmbeddingOperation(request, call, record, limits, credentials, unary, metrics);
    AttemptResult.Embedded e = (AttemptResult.Embedded) route(rt, call, record, op, null);
    return new Embeddings(e.vectors(), e.promptTokens());
  }

  /** The vectors of an embeddings call, one per input in input order, and the tokens metered. */
  public record Embeddings(float[][] vectors, long promptTokens) {}

  /** Chat completions: any backend that chats, the request translated by its provider. */
  private final class Chat implements Operation {
    private final RoutedCall call;
    private final Attempt attempt;

    Chat(RoutedCall call, Attempt attempt) {
      this.call = call;
      this.attempt = attempt;
    }

    @Override
    public String notServed(BackendRuntime b) {
      return b.config().capabilities().chat() ? null : "capabilities.chat is false";
    }

    @Override
    public ApiException noneServes(RoutedCall c, List<String> reasons) {
      return Failures.notServed(c, "chat_not_served", "chat", reasons);
    }

    @Override
    public List<BackendRuntime> usable(
        RoutedCall c, List<BackendRuntime> ordered, List<String> skipped) {
      return ordered;
    }

    @Override
    public ApiException noneUsable(RoutedCall c, List<String> skipped) {
      return Failures.noneUsable(c, "chat_not_served", "chat", skipped);
    }

    @Override
    public long charge(BackendRuntime b, ObjectNode request) {
      return BackendAdmission.charge(b, request);
    }

    @Override
    public OutgoingRequest prepare(BackendRuntime b, ObjectNode request, TranslationContext ctx) {
      return OutgoingRequest.prepare(b, request, ctx, call, credentials);
    }

    @Override
    public AttemptResult attempt(
        BackendRuntime b,
        OutgoingRequest out,
        TranslationContext ctx,
        long deadline,
        Permit permit) {
      return attempt.run(b, out, ctx, deadline, permit);
    }
  }

  /** Output with a schema is validated whole before the client sees any of it. */
  private void streamValidated(RouterRuntime rt, RoutedCall call, CallRecord record, ChunkSink sink)
      throws IOException {
    // Only top-level fields change: a copy of the top level leaves the client's request intact.
    ObjectNode whole = JsonNodeFactory.instance.objectNode().setAll(call.request());
    whole.put("stream", false);
    whole.remove("stream_options");
    HeldStream held = new HeldStream(sink);
    AttemptResult r;
    try {
      r = complete(rt, call.withRequest(whole), record, held);
    } catch (ApiException e) {
      held.failed(e, record);
      throw e;
    }
    if (!(r instanceof AttemptResult.Valid v)) {
      return; // the client left while held
    }
    Answer a = new Answer(v.completion(), v.output());
    // The answer is whole: a client that does not take it within the idle limit is cut off.
    try (StreamWatch watch = new StreamWatch(upstream::schedule, null)) {
      watch.writing(
          System.nanoTime() + call.route().streamIdleTimeoutDuration().toNanos(),
          StreamWatch.Limit.STREAM_IDLE);
      try {
        sink.begin();
        for (ObjectNode chunk : CompletionChunks.of(a.completion(), call.clientWantsUsage())) {
          sink.chunk(chunk);
        }
        sink.done();
      } catch (IOException clientGone) {
        watch.settle();
        record.outcome = Outcome.CLIENT_CLOSED;
        throw clientGone;
      }
    }
  }

  @FunctionalInterface
  private interface Attempt {
    AttemptResult run(
        BackendRuntime b,
        OutgoingRequest out,
        TranslationContext ctx,
        long deadline,
        Permit permit);
  }

  /**
   * Runs attempts until one succeeds; returns its result ({@link AttemptResult.Valid}, {@link
   * AttemptResult.Streamed} or {@link AttemptResult.ClientGone}), or throws the request's error.
   */
  private AttemptResult route(
      RouterRuntime rt, RoutedCall call, CallRecord record, Operation op, HeldStream keepAlive) {
    long started = System.nanoTime();
    record.routed = true;
    try {
      return attempts(rt, call, record, op, keepAlive);
    } finally {
      record.routedNanos += System.nanoTime() - started;
    }
  }

  private AttemptResult attempts(
      RouterRuntime rt, RoutedCall call, CallRecord record, Operation op, HeldStream keepAlive) {
    Route route = call.route();
    ColdGate coldGate =
        new ColdGate(cold, metrics, call, record, rt.config().sidecar(), keepAlive, random);
    long deadline = System.nanoTime() + call.timeout().toNanos();
    record.task = taskLabel(call);
    Targets targets = eligibleTargets(rt, call, op, record);
    RetryState state =
        new RetryState(
            targets.order().size(),
            route.maxAttempts(),
            route.fallbackTriggers(),
            backoffs.computeIfAbsent(route.backoff(), RequestRouter::backoffOf),
            route.backoff().maxDuration(),
            deadline);
    Failed last = null;
    boolean outOfTime = false;
    String responseId = responseId();
    long created = System.currentTimeMillis() / 1000;
    int current = -1;
    ObjectNode request = call.request();
    OutgoingRequest prepared = null; // sent again as is by a retry of the same target
    boolean repairing = false;
    String judging = ValidationAttempt.FIRST; // a target's own answer, or one to a repair

    while (state.hasTarget()) {
      if (state.target() != current) {
        judging = ValidationAttempt.FIRST;
        current = state.target();
        request = call.request();
        prepared = null;
      }
      BackendRuntime b = targets.order().get(current);
      if (state.outOfTime(System.nanoTime())) {
        outOfTime = true;
        break;
      }
      if (!state.hasAttemptLeft()) {
        break;
      }
      switch (coldGate.before(targets.order(), state)) {
        case MOVED -> {
          continue;
        }
        case CLIENT_GONE -> {
          return new AttemptResult.ClientGone(Outcome.CLIENT_CLOSED);
        }
        case ATTEMPT -> {
          // ready, or held until it was
        }
      }
      ObjectNode admitting = request;
      BackendAdmission.Admission admitted =
          admission.admit(b, backend -> op.charge(backend, admitting));
      if (admitted instanceof BackendAdmission.Refused refused) {
        last = Failures.unavailable(refused.message());
        record.failures.add(b.name() + ": " + refused.message());
        if (state.afterRefusal().step() == RetryState.Step.STOP) {
          break;
        }
        metrics.fallback(route.name(), taskLabel(call), b.name(), "unavailable");
        continue;
      }
      state.attempted();
      record.attempts++;
      record.backend = b.name();
      AttemptResult result;
      AttemptTrace traced;
      try (Permit permit = (Permit) admitted) {
        TranslationContext ctx = context(b, call, responseId, created);
        if (prepared == null) {
          try {
            prepared = op.prepare(b, request, ctx);
          } catch (OutgoingRequest.Untranslatable e) {
            prepared = null;
            result = Failures.translationRefused(e.reason());
            last = (Failed) result;
            record.failures.add(b.name() + ": " + Failures.shortReason(last));
            break;
          }
        }
        traced = AttemptTrace.start(b, call, record, repairing);
        repairing = false;
        result = op.attempt(b, traced.headers(prepared), ctx, state.deadline(), permit);
      }
      if (!(result instanceof Failed) && !(result instanceof AttemptResult.Invalid)) {
        coldGate.answered(b);
      }
      traced.result(result);
      try {
        switch (result) {
          case AttemptResult.Valid v -> {
            if (v.output() != null) {
              metrics.validation(taskLabel(call), b.name(), judging, true);
            }
            return v;
          }
          case AttemptResult.Streamed s -> {
            return s;
          }
          case AttemptResult.Embedded e -> {
            return e;
          }
          case AttemptResult.ClientGone gone -> {
            record.outcome = gone.outcome();
            return gone;
          }
          case AttemptResult.Invalid inv -> {
            metrics.validationFailure(taskLabel(call), b.name());
            metrics.validation(taskLabel(call), b.name(), judging, false);
            record.invalidAnswers++;
            last = Failures.invalidOutput(b, inv.errors());
            record.failures.add(b.name() + ": invalid output");
            Decision d = state.afterInvalidOutput(call.maxRepairAttempts());
            switch (d.step()) {
              case REPAIR -> {
                metrics.repairAttempt(taskLabel(call), b.name());
                record.repairs++;
                repairing = true;
                judging = ValidationAttempt.REPAIR;
                request = OutputCheck.repairRequest(request, inv);
                prepared = null;
              }
              case FALL_BACK -> {
                metrics.fallback(route.name(), taskLabel(call), b.name(), "invalidOutput");
                traced.fellBack("invalidOutput");
              }
              default -> {
                return fail(call, record, last, false, targets.withheld());
              }
            }
          }
          case Failed f -> {
            last = f;
            record.failures.add(b.name() + ": " + Failures.shortReason(f));
            if (coldGate.refused(b, f, state)) {
              continue; // no ready pod: the next turn spills over or holds
            }
            if (Failures.REQUEST_TIMEOUT.equals(f.error().code())) {
              // The whole request's time is spent: no retry or fallback could run anyway.
              if (f.afterFirstByte()) {
                record.outcome = Outcome.TIMEOUT;
                return f;
              }
              outOfTime = true;
              break;
            }
            if (f.afterFirstByte()) {
              record.outcome = Outcome.STREAM_ERROR;
              return f;
            }
            Decision d = state.afterFailure(f.trigger(), f.error().retryAfter(), System.nanoTime());
            switch (d.step()) {
              case RETRY -> {
                metrics.retry(b.name(), Failures.triggerName(f.trigger()));
                long slept = System.nanoTime();
                sleep(d.waitMillis());
                record.upstreamNanos += System.nanoTime() - slept;
              }
              case FALL_BACK -> {
                metrics.fallback(
                    route.name(), taskLabel(call), b.name(), Failures.triggerName(f.trigger()));
                traced.fellBack(Failures.triggerName(f.trigger()));
              }
              default -> {
                return fail(call, record, last, false, targets.withheld());
              }
            }
          }
        }
      } finally {
        traced.end();
      }
      if (outOfTime) {
        break;
      }
    }
    return fail(call, record, last, outOfTime, targets.withheld());
  }

  /** Ends the request with its error; the record keeps its outcome. */
  private static AttemptResult fail(
      RoutedCall call, CallRecord record, Failed last, boolean outOfTime, Withheld withheld) {
    if (outOfTime) {
      record.outcome = Outcome.TIMEOUT;
      throw Failures.requestTimeout(call, record, withheld);
    }
    if (last == null) {
      record.outcome = Outcome.TIMEOUT;
      throw Failures.nothingAttempted();
    }
    record.outcome = Failures.outcomeOf(last);
    throw Failures.exhausted(call, record, last, withheld);
  }

  /** The targets a request may try, in order, and those its data class withheld. */
  private record Targets(List<BackendRuntime> order, Withheld withheld) {}

  /**
   * The route's targets in strategy order: only those that serve the call's kind, without those the
   * request's data class forbids, narrowed to those that can take this request. Targets left out
   * for the request's sake are named in the record, so a failure names them too.
   */
  private Targets eligibleTargets(
      RouterRuntime rt, RoutedCall call, Operation op, CallRecord record) {
    List<String> notServed = new ArrayList<>();
    Set<String> serving = new HashSet<>();
    for (RouteTarget t : call.route().targets()) {
      BackendRuntime b = rt.backend(t.backend());
      if (b == null) {
        continue;
      }
      String why = op.notServed(b);
      if (why == null) {
        serving.add(t.backend());
      } else {
        notServed.add(t.backend() + ": " + why);
      }
    }
    if (serving.isEmpty()) {
      throw op.noneServes(call, notServed);
    }
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
    Set<Locality> localities = EnumSet.noneOf(Locality.class);
    for (RouteTarget t : ordered.withheld()) {
      BackendRuntime b = rt.backend(t.backend());
      if (b != null && serving.contains(t.backend())) {
        forbidden.add(t.backend());
        localities.add(b.config().locality());
        metrics.dataPolicyBlock(call.decision().label(), t.backend());
      }
    }
    List<BackendRuntime> allowed = new ArrayList<>(ordered.eligible().size());
    for (RouteTarget t : ordered.eligible()) {
      if (serving.contains(t.backend())) {
        allowed.add(rt.backend(t.backend()));
      }
    }
    if (allowed.isEmpty()) {
      throw Failures.dataPolicyBlocked(call, forbidden);
    }
    List<String> skipped = new ArrayList<>();
    List<BackendRuntime> out = op.usable(call, allowed, skipped);
    record.failures.addAll(skipped);
    if (out.isEmpty()) {
      throw op.noneUsable(call, skipped);
    }
    return new Targets(
        out,
        forbidden.isEmpty() ? Withheld.NONE : new Withheld(List.copyOf(forbidden), localities));
  }

  private static TranslationContext context(
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

  private static IntervalFunction backoffOf(Backoff b) {
    return IntervalFunction.ofExponentialRandomBackoff(
        b.initialDuration(), 2.0, 0.5, b.maxDuration());
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Failures.shuttingDown();
    }
  }
}
