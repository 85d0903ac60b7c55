package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The vLLM load signal the autoscaler follows. */
public enum ScalingMetric {
  /** Requests waiting in vLLM's queue ({@code vllm:num_requests_waiting}). */
  @JsonProperty("queue")
  QUEUE,
  /** Requests being generated ({@code vllm:num_requests_running}). */
  @JsonProperty("running")
  RUNNING,
  /** KV-cache usage as a fraction of capacity ({@code vllm:kv_cache_usage_perc}). */
  @JsonProperty("kvCache")
  KV_CACHE
}
