package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Prices in USD.
 *
 * @param inputPerMillionTokens price of one million input tokens
 * @param outputPerMillionTokens price of one million output tokens
 * @param gpuHourly self-hosted only: what one GPU costs per hour (reported, not used per request)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Pricing(
    Double inputPerMillionTokens, Double outputPerMillionTokens, Double gpuHourly) {

  /** Cost of one call in USD; unknown prices count as zero. */
  public double cost(long inputTokens, long outputTokens) {
    double in = inputPerMillionTokens == null ? 0 : inputPerMillionTokens;
    double out = outputPerMillionTokens == null ? 0 : outputPerMillionTokens;
    return (inputTokens * in + outputTokens * out) / 1_000_000d;
  }
}
