package io.aihandler.router.server;

import io.aihandler.logging.LogEvent;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one log line of a finished API request: routing facts only, never prompt or completion text.
 * As text (its {@link #toString()}) values that come from the request are escaped by {@link
 * AccessLogValue}, so none can forge a line or a field; as JSON the same facts are the line's
 * fields, with the ids of the request from the log context.
 */
record AccessLine(
    String method,
    String path,
    int status,
    String model,
    String route,
    String backend,
    int attempts,
    String outcome,
    String dataClass,
    long tokensIn,
    long tokensOut,
    double costUsd,
    long durationMs,
    String requestId)
    implements LogEvent {

  /** Longest value from the request that a JSON line carries. */
  private static final int MAX_VALUE = 200;

  @Override
  public String message() {
    return "request";
  }

  @Override
  public Map<String, Object> fields() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("method", method);
    f.put("path", cut(path));
    f.put("status", status);
    f.put("model", cut(model));
    f.put("route", route);
    f.put("backend", backend);
    f.put("attempts", attempts);
    f.put("outcome", outcome);
    f.put("data_class", dataClass);
    f.put("tokens_in", tokensIn);
    f.put("tokens_out", tokensOut);
    f.put("cost_usd", costUsd);
    f.put("duration_ms", durationMs);
    return f;
  }

  @Override
  public String toString() {
    return method
        + " "
        + AccessLogValue.of(path)
        + " status="
        + status
        + " model="
        + AccessLogValue.of(model)
        + " route="
        + AccessLogValue.of(route)
        + " backend="
        + AccessLogValue.of(backend)
        + " attempts="
        + attempts
        + " outcome="
        + outcome
        + " data_class="
        + AccessLogValue.of(dataClass)
        + " tokens_in="
        + tokensIn
        + " tokens_out="
        + tokensOut
        + " cost_usd="
        + String.format(Locale.ROOT, "%.6f", costUsd)
        + " duration_ms="
        + durationMs
        + " request_id="
        + AccessLogValue.of(requestId);
  }

  private static String cut(String s) {
    return s == null || s.length() <= MAX_VALUE ? s : s.substring(0, MAX_VALUE) + "...";
  }
}
