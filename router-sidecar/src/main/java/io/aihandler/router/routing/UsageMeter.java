package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.runtime.BackendRuntime;

/** Counts the tokens and cost a provider reports: in the request's record, metrics and budget. */
final class UsageMeter {

  private final RouterMetrics metrics;

  UsageMeter(RouterMetrics metrics) {
    this.metrics = metrics;
  }

  /** The input and output tokens of an OpenAI {@code usage} object; none when there is none. */
  static long[] tokens(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return new long[] {0, 0};
    }
    return new long[] {
      usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0)
    };
  }

  /** Meters tokens at the backend's prices; a call that counted none is not metered. */
  void meter(
      BackendRuntime b, long in, long out, CallRecord record, BackendAdmission.Permit permit) {
    if (in == 0 && out == 0) {
      return;
    }
    double cost = b.config().pricing() == null ? 0 : b.config().pricing().cost(in, out);
    record.inputTokens += in;
    record.outputTokens += out;
    record.cost += cost;
    permit.used(in + out);
    metrics.usage(b.name(), record.task, in, out, cost);
  }

  /** Meters an OpenAI {@code usage} object; anything else is ignored. */
  void meter(BackendRuntime b, JsonNode usage, CallRecord record, BackendAdmission.Permit permit) {
    if (usage == null || !usage.isObject()) {
      return;
    }
    long[] t = tokens(usage);
    meter(b, t[0], t[1], record, permit);
  }
}
