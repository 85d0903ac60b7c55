package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.routing.BackendAdmission.Permit;
import io.aihandler.router.runtime.BackendHealth;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.runtime.Json;
import io.aihandler.router.upstream.UpstreamClient;
import io.aihandler.router.upstream.UpstreamLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One non-streaming attempt: sends the request, reads the answer within the attempt's time (the
 * per-try timeout or what is left of the request's, whichever ends first) and its size limit,
 * translates it back and judges it against the schema.
 */
final class UnaryAttempt {

  private static final ObjectMapper MAPPER = Json.mapper();

  private final UpstreamClient upstream;
  private final CredentialStore credentials;
  private final BackendHealth health;
  private final RouterMetrics metrics;
  private final UsageMeter usage;

  UnaryAttempt(
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

  /** What a successful upstream body becomes, for one kind of call. */
  interface AnswerReader<T> {
    /**
     * Reads the body.
     *
     * @throws IOException or RuntimeException when it is not a usable answer; the message of an
     *     {@link IllegalArgumentException} says why in words for the client
     */
    T read(byte[] body) throws IOException;

    /** Input and output tokens the answer used: {@code [in, out]}. */
    long[] usage(T answer);

    /** The attempt's result. */
    AttemptResult result(T answer);
  }

  /** A chat attempt: the answer is a chat completion, judged against the call's schema. */
  AttemptResult run(
      BackendRuntime b,
      OutgoingRequest out,
      TranslationContext ctx,
      long deadline,
      RoutedCall call,
      CallRecord record,
      Permit permit,
      UpstreamLimits limits) {
    return run(
        b,
        out,
        deadline,
        call,
        record,
        permit,
        limits,
        new AnswerReader<ObjectNode>() {
          @Override
          public ObjectNode read(byte[] body) throws IOException {
            JsonNode answer = MAPPER.readTree(body);
            // The answer names the client's model; the span records the one that answered.
            record.responseModel = AttemptTrace.answeringModel(answer);
            return b.translator().toChatCompletion(answer, ctx);
          }

          @Override
          public long[] usage(ObjectNode completion) {
            return UsageMeter.tokens(completion.get("usage"));
          }

          @Override
          public AttemptResult result(ObjectNode completion) {
            return OutputCheck.judge(completion, call.validator());
          }
        },
        () -> Failures.badResponse(b));
  }

  /**
   * An attempt of any kind: sends the request, reads the answer within the attempt's time and the
   * size limit, and turns it into a result with {@code reader}.
   *
   * @param badAnswer the failure for an answer the reader cannot use, unless it says why
   */
  <T> AttemptResult run(
      BackendRuntime b,
      OutgoingRequest out,
      long deadline,
      RoutedCall call,
      CallRecord record,
      Permit permit,
      UpstreamLimits limits,
      AnswerReader<T> reader,
      java.util.function.Supplier<AttemptResult.Failed> badAnswer) {
    long started = System.nanoTime();
    Duration perTry = call.route().perTryTimeoutDuration();
    Duration timeout = min(perTry, remaining(deadline));
    UpstreamClient.Response r;
    try {
      r = upstream.send(out.uri(), out.headers(), out.body(), timeout, limits, record.memory());
    } catch (UpstreamClient.ResponseTooLargeException e) {
      return failed(
          b,
          permit,
          record,
          started,
          e,
          "response_too_large",
          Failures.responseTooLarge(b, e.limit()));
    } catch (UpstreamClient.UpstreamTimeoutException e) {
      AttemptResult.Failed f =
          timeout.compareTo(perTry) < 0
              ? Failures.requestTimedOut(b, call.timeout(), false)
              : Failures.timeout(b, timeout);
      return failed(b, permit, record, started, e, "timeout", f);
    } catch (IOException e) {
      if (b.config().capacity() != null && Failures.refused(e)) {
        // No ready pod: the cold path keeps traffic off the backend, its circuit is not charged.
        long took = System.nanoTime() - started;
        record.upstreamNanos += took;
        metrics.upstream(b.name(), "connection_refused", Duration.ofNanos(took));
        return Failures.connectionRefused(b);
      }
      return failed(
          b, permit, record, started, e, "connection_error", Failures.connectionFailed(b));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Failures.shuttingDown();
    }
    long took = System.nanoTime() - started;
    record.upstreamNanos += took;
    if (r.status() / 100 == 3) {
      permit.failed(took, new IOException("redirect"));
      metrics.upstream(b.name(), "redirect", Duration.ofNanos(took));
      return Failures.redirect(b, r.status());
    }
    if (r.status() / 100 != 2) {
      UpstreamError err =
          b.translator()
              .toError(r.status(), new String(r.body(), StandardCharsets.UTF_8), r.headers());
      permit.upstreamError(err.kind(), took);
      metrics.upstream(b.name(), RouterMetrics.httpOutcome(r.status()), Duration.ofNanos(took));
      return Failures.upstream(err, credentials);
    }
    T answer;
    try {
      answer = reader.read(r.body());
    } catch (IOException | RuntimeException e) {
      permit.failed(took, e);
      metrics.upstream(b.name(), "bad_response", Duration.ofNanos(took));
      return e instanceof IllegalArgumentException why && why.getMessage() != null
          ? Failures.unusableAnswer(b, why.getMessage())
          : badAnswer.get();
    }
    permit.succeeded(took);
    permit.answered();
    health.recordLatency(b.name(), TimeUnit.NANOSECONDS.toMillis(took));
    metrics.upstream(b.name(), "ok", Duration.ofNanos(took));
    long[] tokens = reader.usage(answer);
    usage.meter(b, tokens[0], tokens[1], record, permit);
    return reader.result(answer);
  }

  private AttemptResult failed(
      BackendRuntime b,
      Permit permit,
      CallRecord record,
      long started,
      IOException cause,
      String metricOutcome,
      AttemptResult.Failed failure) {
    long took = System.nanoTime() - started;
    record.upstreamNanos += took;
    permit.failed(took, cause);
    metrics.upstream(b.name(), metricOutcome, Duration.ofNanos(took));
    return failure;
  }

  static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
