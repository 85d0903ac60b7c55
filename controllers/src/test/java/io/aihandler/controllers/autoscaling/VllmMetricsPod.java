package io.aihandler.controllers.autoscaling;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A stand-in vLLM pod: a MockWebServer answering {@code /metrics} with the Prometheus text vLLM
 * serves (HELP/TYPE lines, model_name and engine labels, counters and histograms around the gauges
 * the autoscaler reads). The test sets the load it reports, or makes it fail.
 */
final class VllmMetricsPod implements AutoCloseable {

  private final MockWebServer server = new MockWebServer();
  private final String model;
  private volatile double waiting;
  private volatile double running;
  private volatile double kvCache;
  private volatile double completed;
  private volatile boolean legacyKvCacheName;
  private volatile int failWithStatus;

  VllmMetricsPod(String model) throws IOException {
    this.model = model;
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            if (failWithStatus != 0) {
              return new MockResponse.Builder().code(failWithStatus).body("upstream busy").build();
            }
            return new MockResponse.Builder()
                .code(200)
                .addHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .body(metricsText())
                .build();
          }
        });
    server.start();
  }

  URI metricsUrl() {
    return server.url("/metrics").uri();
  }

  VllmMetricsPod load(double waiting, double running, double kvCache) {
    this.waiting = waiting;
    this.running = running;
    this.kvCache = kvCache;
    return this;
  }

  /** Sets {@code vllm:request_success_total} (split over two finish reasons, as vLLM does). */
  VllmMetricsPod completed(double requests) {
    this.completed = requests;
    return this;
  }

  VllmMetricsPod legacyKvCacheName() {
    this.legacyKvCacheName = true;
    return this;
  }

  VllmMetricsPod failing(int status) {
    this.failWithStatus = status;
    return this;
  }

  private String metricsText() {
    String labels = "engine=\"0\",model_name=\"" + model + "\"";
    String kvName = legacyKvCacheName ? "vllm:gpu_cache_usage_perc" : "vllm:kv_cache_usage_perc";
    return String.format(
        Locale.ROOT,
        """
        # HELP python_gc_objects_collected_total Objects collected during gc
        # TYPE python_gc_objects_collected_total counter
        python_gc_objects_collected_total{generation="0"} 18823.0
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{%1$s} %2$.1f
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{%1$s} %3$.1f
        # HELP %5$s KV-cache usage. 1 means 100 percent usage.
        # TYPE %5$s gauge
        %5$s{%1$s} %4$s
        # HELP vllm:request_success_total Count of successfully processed requests.
        # TYPE vllm:request_success_total counter
        vllm:request_success_total{%1$s,finished_reason="stop"} %6$.1f
        vllm:request_success_total{%1$s,finished_reason="length"} %7$.1f
        vllm:request_success_total{engine="0",model_name="some-other-model",finished_reason="stop"} 77.0
        # HELP vllm:prompt_tokens_total Number of prefill tokens processed.
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total{%1$s} 1.234567e+06
        # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
        # TYPE vllm:time_to_first_token_seconds histogram
        vllm:time_to_first_token_seconds_bucket{%1$s,le="0.001"} 0.0
        vllm:time_to_first_token_seconds_bucket{%1$s,le="+Inf"} 5120.0
        vllm:time_to_first_token_seconds_count{%1$s} 5120.0
        vllm:time_to_first_token_seconds_sum{%1$s} 811.3
        vllm:num_requests_waiting{engine="0",model_name="some-other-model"} 999.0
        """,
        labels,
        running,
        waiting,
        Double.toString(kvCache),
        kvName,
        Math.ceil(completed / 2),
        Math.floor(completed / 2));
  }

  @Override
  public void close() {
    server.close();
  }
}
