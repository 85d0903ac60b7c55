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

  /** Meters an OpenAI {@code usage} object; anything else is ignored. */
  void meter(BackendRuntime b, JsonNode usage, CallRecord record, BackendAdmission.Permit permit) {
    if (usage == null || !usage.isObject()) {
      return;
    }
    long in = usage.path("prompt_tokens").asLong(0);
    long out = usage.path("completion_tokens").asLong(0);
    double cost = b.config().pricing() == null ? 0 : b.config().pricing().cost(in, out);
    record.inputTokens += in;
    record.outputTokens += out;
    record.cost += cost;
    permit.used(in + out);
    metrics.usage(b.name(), in, out, cost);
  }
}
