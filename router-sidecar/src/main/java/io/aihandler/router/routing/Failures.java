package io.aihandler.router.routing;

import io.aihandler.router.ApiException;
import io.aihandler.router.config.FallbackTrigger;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.routing.AttemptResult.Failed;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Every failure the router reports, by name: what one attempt failed of, and the error the client
 * gets when a request runs out of targets, attempts or time. Messages name backends and limits,
 * never keys, URLs' query strings or prompt text.
 */
final class Failures {

  static final String REQUEST_TIMEOUT = "request_timeout";
  static final String STREAM_IDLE_TIMEOUT = "stream_idle_timeout";
  static final String FIRST_TOKEN_TIMEOUT = "first_token_timeout";
  static final String WITHHELD_FALLBACKS = "data_policy_withheld_fallbacks";
  static final String CONNECTION_REFUSED = "upstream_connection_refused";

  private Failures() {}

  // ---- one attempt ----

  /** The backend refused the attempt before anything was sent (circuit, limits, no key). */
  static Failed unavailable(String message) {
    return new Failed(
        new UpstreamError(
            503,
            UpstreamError.Kind.SERVER_ERROR,
            "server_error",
            "backend_unavailable",
            message,
            null),
        FallbackTrigger.UNAVAILABLE,
        false);
  }

  /** An upstream's own error answer, with anything that looks like a key taken out. */
  static Failed upstream(UpstreamError e, CredentialStore credentials) {
    UpstreamError redacted =
        new UpstreamError(
            e.status(),
            e.kind(),
            e.type(),
            e.code(),
            credentials.redact(e.message()),
            e.retryAfter());
    return new Failed(redacted, trigger(redacted.kind()), false);
  }

  /** The provider failed mid-stream (an in-band error event or a premature end). */
  static Failed upstreamStream(
      UpstreamError e, CredentialStore credentials, boolean afterFirstByte) {
    Failed f = upstream(e, credentials);
    return new Failed(f.error(), f.trigger(), afterFirstByte);
  }

  static Failed timeout(BackendRuntime b, Duration after) {
    return new Failed(
        new UpstreamError(
            504,
            UpstreamError.Kind.SERVER_ERROR,
            "timeout_error",
            "upstream_timeout",
            "backend " + b.name() + " did not answer within " + after.toMillis() + " ms",
            null),
        FallbackTrigger.TIMEOUT,
        false);
  }

  /** An attempt cut short because the whole request's time ran out. */
  static Failed requestTimedOut(BackendRuntime b, Duration requestTimeout, boolean afterFirstByte) {
    return new Failed(
        new UpstreamError(
            504,
            UpstreamError.Kind.SERVER_ERROR,
            "timeout_error",
            REQUEST_TIMEOUT,
            "the request's timeout of "
                + requestTimeout.toMillis()
                + " ms ran out while waiting for"
                + " backend "
                + b.name(),
            null),
        FallbackTrigger.TIMEOUT,
        afterFirstByte);
  }

  static Failed streamIdle(BackendRuntime b, Duration idle, boolean afterFirstByte) {
    return new Failed(
        new UpstreamError(
            504,
            UpstreamError.Kind.SERVER_ERROR,
            "timeout_error",
            STREAM_IDLE_TIMEOUT,
            "backend "
                + b.name()
                + " sent nothing for "
                + idle.toMillis()
                + " ms (streamIdleTimeout)",
            null),
        FallbackTrigger.TIMEOUT,
        afterFirstByte);
  }

  static Failed firstTokenTimeout(BackendRuntime b, Duration after, boolean afterFirstByte) {
    Failed f = timeout(b, after);
    return new Failed(f.error(), f.trigger(), afterFirstByte);
  }

  static Failed connectionFailed(BackendRuntime b) {
    return badGateway(
        "upstream_unreachable", "backend " + b.name() + " could not be reached", false);
  }

  /**
   * A backend with {@code capacity} refused the connection: it has no ready pod. The request goes
   * the way of a cold backend (spill-over or hold); the client sees this only when that runs out.
   */
  static Failed connectionRefused(BackendRuntime b) {
    return badGateway(
        CONNECTION_REFUSED,
        "backend " + b.name() + " refused the connection (no ready replica)",
        false);
  }

  /** Whether an attempt's I/O failure is a refused connection: nothing listens there now. */
  static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** The translator cannot express the request for this provider: the client's to change. */
  static Failed translationRefused(RuntimeException e) {
    String message = e.getMessage() == null ? "the request cannot be translated" : e.getMessage();
    return new Failed(
        new UpstreamError(
            400,
            UpstreamError.Kind.CLIENT_ERROR,
            "invalid_request_error",
            "unsupported_request",
            message,
            null),
        null,
        false);
  }

  static Failed badResponse(BackendRuntime b) {
    return badGateway(
        "bad_upstream_response",
        "backend " + b.name() + " sent an answer that is not a chat completion",
        false);
  }

  /** An answer the backend sent whole that cannot be used, and why (never its content). */
  static Failed unusableAnswer(BackendRuntime b, String why) {
    return badGateway(
        "bad_upstream_response",
        "backend " + b.name() + " sent an answer that cannot be used: " + why,
        false);
  }

  static Failed badStream(BackendRuntime b, boolean afterFirstByte) {
    return badGateway(
        "bad_upstream_stream",
        "backend " + b.name() + " sent a stream that cannot be read",
        afterFirstByte);
  }

  static Failed streamBroken(BackendRuntime b, boolean afterFirstByte) {
    return badGateway(
        "stream_broken", "the stream from backend " + b.name() + " broke off", afterFirstByte);
  }

  static Failed responseTooLarge(BackendRuntime b, long limit) {
    return badGateway(
        "upstream_response_too_large",
        "backend "
            + b.name()
            + " sent an answer larger than "
            + limit
            + " bytes (maxUpstreamResponseBytes); it was not read",
        false);
  }

  static Failed eventTooLarge(BackendRuntime b, long limit, boolean afterFirstByte) {
    return badGateway(
        "upstream_event_too_large",
        "backend "
            + b.name()
            + " sent a stream event larger than "
            + limit
            + " bytes (maxSseEventBytes); the stream was closed",
        afterFirstByte);
  }

  /** Redirects are not followed: the Location may lead anywhere, with the key in tow. */
  static Failed redirect(BackendRuntime b, int status) {
    return badGateway(
        "upstream_redirect",
        "backend "
            + b.name()
            + " answered with a redirect (HTTP "
            + status
            + "), which the sidecar"
            + " does not follow; check the backend's baseUrl",
        false);
  }

  static Failed invalidOutput(BackendRuntime b, List<String> errors) {
    return new Failed(
        new UpstreamError(
            502,
            UpstreamError.Kind.SERVER_ERROR,
            "server_error",
            "invalid_output",
            "output of backend "
                + b.name()
                + " does not match the schema: "
                + String.join("; ", errors.subList(0, Math.min(5, errors.size()))),
            null),
        FallbackTrigger.INVALID_OUTPUT,
        false);
  }

  /** A backend's failure as the client sees it: 502, and another backend may serve instead. */
  private static Failed badGateway(String code, String message, boolean afterFirstByte) {
    return new Failed(
        new UpstreamError(
            502, UpstreamError.Kind.SERVER_ERROR, "server_error", code, message, null),
        FallbackTrigger.SERVER_ERROR,
        afterFirstByte);
  }

  static ApiException shuttingDown() {
    return new ApiException(503, "server_error", "shutting_down", "the sidecar is shutting down");
  }

  // ---- the whole request ----

  /** As many requests as allowed are held for the cold backend already: nothing was sent. */
  static ApiException holdsFull(BackendRuntime b, String state, int maxHeld) {
    return new ApiException(
        503,
        "server_error",
        "hold_queue_full",
        "backend "
            + b.name()
            + " has no ready replica ("
            + state
            + ") and "
            + maxHeld
            + " requests are held for it already (sidecar.maxHeldRequests); retry later");
  }

  /** The request was held for the cold backend until its hold ran out: nothing was sent. */
  static ApiException holdTimeout(
      RoutedCall call, BackendRuntime b, String state, long heldMillis) {
    return new ApiException(
        503,
        "server_error",
        "cold_start_timeout",
        "backend "
            + b.name()
            + " had no ready replica ("
            + state
            + ") while the request was held for "
            + heldMillis
            + " ms (route "
            + call.route().name()
            + " coldStartTimeout "
            + call.route().coldStartTimeout()
            + "); nothing was sent");
  }

  /** No backend of the route is one the request's data class may reach: nothing was sent. */
  static ApiException dataPolicyBlocked(RoutedCall call, List<String> withheld) {
    return new ApiException(
        403,
        "permission_error",
        "data_policy_blocked",
        "data class "
            + call.decision().label()
            + " may reach only "
            + call.decision().allowed().stream().map(Failures::localityName).toList()
            + " backends, and route "
            + call.route().name()
            + " has none of them (withheld: "
            + String.join(", ", withheld)
            + "); nothing was sent");
  }

  /** No target of the route serves the call's kind (chat, embeddings): nothing was sent. */
  static ApiException notServed(RoutedCall call, String code, String what, List<String> reasons) {
    return ApiException.badRequest(
        code,
        "model",
        "route "
            + call.route().name()
            + " has no backend that serves "
            + what
            + " ("
            + String.join("; ", reasons)
            + "); nothing was sent");
  }

  /** Targets serve the call's kind, but none can take this request: nothing was sent. */
  static ApiException noneUsable(RoutedCall call, String code, String what, List<String> skipped) {
    return ApiException.badRequest(
        code,
        null,
        "no backend of route "
            + call.route().name()
            + " can serve this "
            + what
            + " request ("
            + String.join("; ", skipped)
            + "); nothing was sent");
  }

  /** The request's time ran out across its attempts. */
  static ApiException requestTimeout(RoutedCall call, CallRecord record, Withheld withheld) {
    String message =
        "the request did not complete within its timeout of "
            + call.timeout().toMillis()
            + " ms"
            + attempts(record);
    return withheld.none()
        ? new ApiException(504, "timeout_error", REQUEST_TIMEOUT, message)
        : new ApiException(
            504, "timeout_error", WITHHELD_FALLBACKS, message + withheld.sentence(call));
  }

  /** No attempt could be made at all within the route's budget. */
  static ApiException nothingAttempted() {
    return new ApiException(
        504,
        "timeout_error",
        REQUEST_TIMEOUT,
        "no attempt could be made within the route's time or attempt budget");
  }

  /** The targets or attempts ran out; the last failure speaks for them all. */
  static ApiException exhausted(
      RoutedCall call, CallRecord record, Failed last, Withheld withheld) {
    UpstreamError e = last.error();
    int status = e.status();
    if (e.kind() == UpstreamError.Kind.SERVER_ERROR
        && status >= 500
        && status != 503
        && status != 504) {
      // An upstream's own failure is a bad gateway from the client's point of view.
      status = 502;
    }
    if (e.kind() == UpstreamError.Kind.AUTHENTICATION) {
      // The client's own credentials are fine; the sidecar's key for the backend is not.
      status = 502;
    }
    String message = e.message() + attempts(record);
    if (last.trigger() == null || withheld.none()) {
      return new ApiException(status, e.type(), e.code(), message);
    }
    return new ApiException(
        status, e.type(), WITHHELD_FALLBACKS, message + withheld.sentence(call));
  }

  /** How a request that ends with this failure is labelled. */
  static Outcome outcomeOf(Failed f) {
    if (f.trigger() == null) {
      return Outcome.CLIENT_ERROR;
    }
    return switch (f.trigger()) {
      case INVALID_OUTPUT -> Outcome.INVALID_OUTPUT;
      case TIMEOUT -> Outcome.TIMEOUT;
      case RATE_LIMITED -> Outcome.RATE_LIMITED;
      case UNAVAILABLE -> Outcome.UNAVAILABLE;
      case SERVER_ERROR -> Outcome.UPSTREAM_ERROR;
    };
  }

  /** A failed attempt in a few words, for the attempts summary, e.g. {@code HTTP 503}. */
  static String shortReason(Failed f) {
    if (f.trigger() == FallbackTrigger.TIMEOUT) {
      return "timeout";
    }
    return "HTTP " + f.error().status() + (f.error().code() == null ? "" : " " + f.error().code());
  }

  /** The config's name of a trigger, as metrics label it. */
  static String triggerName(FallbackTrigger t) {
    return switch (t) {
      case SERVER_ERROR -> "serverError";
      case RATE_LIMITED -> "rateLimited";
      case TIMEOUT -> "timeout";
      case INVALID_OUTPUT -> "invalidOutput";
      case UNAVAILABLE -> "unavailable";
    };
  }

  static FallbackTrigger trigger(UpstreamError.Kind kind) {
    return switch (kind) {
      case SERVER_ERROR -> FallbackTrigger.SERVER_ERROR;
      case RATE_LIMITED -> FallbackTrigger.RATE_LIMITED;
      case AUTHENTICATION -> FallbackTrigger.UNAVAILABLE;
      case CLIENT_ERROR -> null;
    };
  }

  static String localityName(io.aihandler.router.config.Locality l) {
    return l.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String attempts(CallRecord record) {
    return record.failures.isEmpty()
        ? ""
        : " (attempts: " + String.join("; ", record.failures) + ")";
  }
}
