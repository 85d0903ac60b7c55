package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Route;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.provider.PassedChunk;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.routing.AttemptResult.Failed;
import io.aihandler.router.routing.BackendAdmission.Permit;
import io.aihandler.router.routing.StreamWatch.Limit;
import io.aihandler.router.runtime.BackendHealth;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.upstream.SseEventReader;
import io.aihandler.router.upstream.UpstreamClient;
import io.aihandler.router.upstream.UpstreamLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One streaming attempt: opens the upstream stream, translates its events into chunks and writes
 * them to the client as they come. Its {@link StreamWatch} bounds every wait: the first token, the
 * silence between events, the whole request, and each write to a client that may have stopped
 * reading (the upstream call is then cancelled and the client connection closed).
 *
 * <p>Where the translator passes an event's chunk through as bytes and the sink sends bytes, the
 * chunk is never built as a tree: its usage and content were read in the one pass that found the
 * fields to replace.
 *
 * <p>Nothing reaches the client before the first chunk, so until then a failure may still fall
 * back; after it, a failure ends the stream with an error event and never a silent truncation.
 */
final class StreamingAttempt {

  private final UpstreamClient upstream;
  private final CredentialStore credentials;
  private final BackendHealth health;
  private final RouterMetrics metrics;
  private final UsageMeter usage;

  StreamingAttempt(
      UpstreamClient upstream,
      CredentialStore credentials,
      BackendHealth health,
      RouterMetrics metrics,
      UsageMeter usage) {
    this.upstream = upstream;
    this.credentials = credentials;
    this.health = health;
    this.metrics = metrics;
    this.usage = usage;
  }

  /** Where one attempt stands: what the client has seen, and the watch over its waits. */
  private final class Run {
    final BackendRuntime b;
    final RoutedCall call;
    final CallRecord record;
    final Permit permit;
    final ChunkSink sink;
    final long started = System.nanoTime();
    final long deadline;
    final long firstTokenDeadline;
    final Duration idle;
    StreamWatch watch;
    boolean begun;
    RouterMetrics.StreamTimers timers; // looked up at the first content chunk
    long lastContentAt;

    Run(
        BackendRuntime b,
        RoutedCall call,
        CallRecord record,
        Permit permit,
        ChunkSink sink,
        long deadline) {
      this.b = b;
      this.call = call;
      this.record = record;
      this.permit = permit;
      this.sink = sink;
      this.deadline = deadline;
      Route route = call.route();
      this.firstTokenDeadline =
          Math.min(deadline, started + route.firstTokenTimeoutDuration().toNanos());
      this.idle = route.streamIdleTimeoutDuration();
    }

    long took() {
      return System.nanoTime() - started;
    }
  }

  AttemptResult run(
      BackendRuntime b,
      OutgoingRequest out,
      TranslationContext ctx,
      long deadline,
      RoutedCall call,
      CallRecord record,
      Permit permit,
      ChunkSink sink,
      UpstreamLimits limits) {
    Run run = new Run(b, call, record, permit, sink, deadline);
    UpstreamClient.StreamResponse sr;
    try {
      sr =
          upstream.open(
              out.uri(),
              out.headers(),
              out.body(),
              UnaryAttempt.remaining(run.firstTokenDeadline),
              UnaryAttempt.remaining(deadline));
    } catch (UpstreamClient.UpstreamTimeoutException e) {
      Failed f =
          run.firstTokenDeadline == deadline
              ? Failures.requestTimedOut(b, call.timeout(), false)
              : Failures.timeout(b, call.route().firstTokenTimeoutDuration());
      return failedBeforeStream(run, e, "timeout", f);
    } catch (IOException e) {
      if (b.config().capacity() != null && Failures.refused(e)) {
        // No ready pod: the cold path keeps traffic off the backend, its circuit is not charged.
        long took = run.took();
        record.upstreamNanos += took;
        metrics.upstream(b.name(), "connection_refused", Duration.ofNanos(took));
        return Failures.connectionRefused(b);
      }
      return failedBeforeStream(run, e, "connection_error", Failures.connectionFailed(b));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Failures.shuttingDown();
    }
    if (sr.status() / 100 != 2) {
      return refused(run, sr, limits);
    }
    StreamTranslator st = b.translator().newStream(ctx);
    SseEventReader reader = new SseEventReader(sr.body(), limits.maxEventBytes());
    run.watch = new StreamWatch(upstream::schedule, sr.body());
    try {
      return relay(run, reader, st);
    } finally {
      run.watch.close();
      closeQuietly(sr); // before the end, closing drops the connection rather than draining it
    }
  }

  private static void closeQuietly(UpstreamClient.StreamResponse sr) {
    try {
      sr.body().close();
    } catch (IOException ignored) {
      // the connection is dropped either way
    }
  }

  /** Reads events and writes their chunks until the stream ends, fails or the client leaves. */
  private AttemptResult relay(Run run, SseEventReader reader, StreamTranslator st) {
    while (true) {
      long now = System.nanoTime();
      long idleUntil = now + run.idle.toNanos();
      long limit = run.begun ? run.deadline : run.firstTokenDeadline;
      long waitUntil = Math.min(limit, idleUntil);
      // Which limit a silence until waitUntil breaks, for an error that names it.
      Limit which =
          waitUntil == idleUntil
              ? Limit.STREAM_IDLE
              : limit == run.deadline ? Limit.REQUEST : Limit.FIRST_TOKEN;
      run.watch.reading(waitUntil, which);
      SseEventReader.Event ev;
      try {
        ev = reader.next();
      } catch (SseEventReader.EventTooLargeException e) {
        run.watch.settle();
        return streamFailed(
            run, "event_too_large", Failures.eventTooLarge(run.b, e.limit(), run.begun), e);
      } catch (IOException e) {
        Limit struck = run.watch.settle();
        if (struck != null) {
          return timedOut(run, struck, e);
        }
        if (!st.completed()) {
          return streamFailed(run, "stream_error", Failures.streamBroken(run.b, run.begun), e);
        }
        ev = null; // a close-delimited body ends this way once its last event is in
      }
      Limit struck = run.watch.settle();
      if (struck != null) {
        return timedOut(run, struck, null);
      }
      PassedChunk passed = null;
      List<ObjectNode> chunks = null;
      try {
        if (ev != null && run.sink.takesBytes()) {
          passed = st.pass(ev, run.call.clientWantsUsage());
        }
        if (passed == null) {
          chunks = ev == null ? st.onEnd() : st.onEvent(ev.event(), ev.data());
        }
      } catch (UpstreamStreamException e) {
        return streamFailed(
            run, "stream_error", Failures.upstreamStream(e.error(), credentials, run.begun), e);
      } catch (RuntimeException e) {
        return streamFailed(run, "stream_error", Failures.badStream(run.b, run.begun), e);
      }
      boolean more = ev != null && reader.eventBuffered();
      AttemptResult gone = write(run, chunks, passed, more);
      if (gone != null) {
        return gone;
      }
      if (ev == null) {
        return finished(run);
      }
    }
  }

  /**
   * Writes what one event gave (its chunks as trees, or one chunk passed through as bytes), and
   * sends it unless {@code more} (another event is already in and will be written with it); a
   * {@link AttemptResult.ClientGone} if the client left.
   */
  private AttemptResult write(Run run, List<ObjectNode> trees, PassedChunk passed, boolean more) {
    if (passed != null && passed.usage() != null) {
      usage.meter(run.b, passed.usage(), run.record, run.permit);
    }
    boolean nothing = passed != null ? passed.json() == null : trees.isEmpty();
    if (nothing && (more || !run.begun)) {
      return null;
    }
    writingChunks(run);
    try {
      if (passed != null) {
        if (passed.json() != null) {
          beginOnce(run);
          run.sink.chunk(passed.json());
          if (passed.carriesContent()) {
            contentSent(run);
          }
        }
      } else {
        for (ObjectNode chunk : trees) {
          ObjectNode out = meterChunk(run, chunk);
          if (out != null) {
            beginOnce(run);
            run.sink.chunk(out);
            if (CompletionChunks.carriesContent(out)) {
              contentSent(run);
            }
          }
        }
      }
      if (!more) {
        run.sink.flush();
      }
    } catch (IOException clientGone) {
      return clientGone(run, run.watch.settle());
    }
    run.watch.settle(); // a limit that struck just as the write completed is forgotten
    return null;
  }

  /** Commits the response before its first chunk. */
  private static void beginOnce(Run run) throws IOException {
    if (!run.begun) {
      run.sink.begin();
      run.begun = true;
    }
  }

  /**
   * Times a content chunk the client now has: the first from the attempt's start, each later one
   * from the one before it. One clock read and two timer updates per chunk, nothing allocated.
   */
  private void contentSent(Run run) {
    long now = System.nanoTime();
    if (run.timers == null) {
      run.timers = metrics.stream(run.call.route().name(), run.record.task(), run.b.name());
      run.timers.firstToken(now - run.started);
    } else {
      run.timers.betweenTokens(now - run.lastContentAt);
    }
    run.lastContentAt = now;
  }

  private AttemptResult finished(Run run) {
    long took = run.took();
    run.record.upstreamNanos += took;
    run.permit.succeeded(took);
    run.permit.answered();
    health.recordLatency(run.b.name(), TimeUnit.NANOSECONDS.toMillis(took));
    metrics.upstream(run.b.name(), "ok", Duration.ofNanos(took));
    writingLastEvent(run);
    try {
      if (!run.begun) {
        run.sink.begin();
        run.begun = true;
      }
      run.sink.done();
    } catch (IOException clientGone) {
      return clientGone(run, run.watch.settle());
    }
    run.watch.settle();
    return new AttemptResult.Streamed();
  }

  /**
   * The client went away, or a write to it outlasted a limit (its socket is closed then): the
   * backend did nothing wrong, so the attempt counts neither for nor against its circuit.
   */
  private AttemptResult clientGone(Run run, Limit struck) {
    run.record.upstreamNanos += run.took();
    return new AttemptResult.ClientGone(
        struck == Limit.REQUEST ? Outcome.TIMEOUT : Outcome.CLIENT_CLOSED);
  }

  /** Chunks may take as long to write as a silence of the upstream may, never past the request. */
  private static void writingChunks(Run run) {
    long idleUntil = System.nanoTime() + run.idle.toNanos();
    run.watch.writing(
        Math.min(run.deadline, idleUntil),
        run.deadline < idleUntil ? Limit.REQUEST : Limit.STREAM_IDLE);
  }

  /**
   * The last event ({@code [DONE]} or the error) may take the idle limit even past the request's
   * deadline: it is what tells the client that the deadline struck.
   */
  private static void writingLastEvent(Run run) {
    run.watch.writing(System.nanoTime() + run.idle.toNanos(), Limit.STREAM_IDLE);
  }

  private AttemptResult timedOut(Run run, Limit struck, IOException cause) {
    Failed f =
        switch (struck) {
          case REQUEST -> Failures.requestTimedOut(run.b, run.call.timeout(), run.begun);
          case STREAM_IDLE -> Failures.streamIdle(run.b, run.idle, run.begun);
          case FIRST_TOKEN ->
              Failures.firstTokenTimeout(
                  run.b, run.call.route().firstTokenTimeoutDuration(), run.begun);
        };
    return streamFailed(
        run,
        "stream_error",
        f,
        cause != null ? cause : new IOException(struck.name().toLowerCase()));
  }

  /** The upstream failed mid-stream: counts against it; after the first byte, an error event. */
  private AttemptResult streamFailed(Run run, String metricOutcome, Failed f, Throwable cause) {
    long took = run.took();
    run.record.upstreamNanos += took;
    run.permit.failed(took, cause);
    metrics.upstream(run.b.name(), metricOutcome, Duration.ofNanos(took));
    if (!run.begun) {
      return f;
    }
    UpstreamError err = f.error();
    writingLastEvent(run);
    try {
      run.sink.error(new ApiException(err.status(), err.type(), err.code(), err.message()));
    } catch (IOException clientGone) {
      run.watch.settle();
      // Both ends failed; the upstream's failure is what the request is remembered by.
    }
    run.watch.settle();
    return f;
  }

  private AttemptResult failedBeforeStream(Run run, IOException e, String metricOutcome, Failed f) {
    long took = run.took();
    run.record.upstreamNanos += took;
    run.permit.failed(took, e);
    metrics.upstream(run.b.name(), metricOutcome, Duration.ofNanos(took));
    return f;
  }

  /** A non-2xx answer to a stream: a redirect is never followed, an error body is read bounded. */
  private AttemptResult refused(Run run, UpstreamClient.StreamResponse sr, UpstreamLimits limits) {
    if (sr.status() / 100 == 3) {
      closeQuietly(sr);
      long took = run.took();
      run.record.upstreamNanos += took;
      run.permit.failed(took, new IOException("redirect"));
      metrics.upstream(run.b.name(), "redirect", Duration.ofNanos(took));
      return Failures.redirect(run.b, sr.status());
    }
    byte[] body;
    try {
      body = UpstreamClient.readErrorBody(sr.body(), limits.maxErrorBytes());
    } catch (IOException e) {
      body = new byte[0]; // the status alone still classifies the error
    }
    long took = run.took();
    run.record.upstreamNanos += took;
    UpstreamError err =
        run.b
            .translator()
            .toError(sr.status(), new String(body, StandardCharsets.UTF_8), sr.headers());
    run.permit.upstreamError(err.kind(), took);
    metrics.upstream(run.b.name(), RouterMetrics.httpOutcome(sr.status()), Duration.ofNanos(took));
    return Failures.upstream(err, credentials);
  }

  /** Meters a chunk's usage; returns the chunk to send, or null to drop an unwanted usage chunk. */
  private ObjectNode meterChunk(Run run, ObjectNode chunk) {
    JsonNode u = chunk.get("usage");
    if (u != null && u.isObject()) {
      usage.meter(run.b, u, run.record, run.permit);
    }
    if (u != null && !run.call.clientWantsUsage()) {
      if (chunk.path("choices").isEmpty()) {
        return null;
      }
      chunk.remove("usage");
    }
    return chunk;
  }
}
