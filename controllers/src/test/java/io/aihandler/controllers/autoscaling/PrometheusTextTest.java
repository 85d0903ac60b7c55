package io.aihandler.controllers.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ScalingMetric;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void readsNamesWithColonsEscapedLabelsTimestampsAndSpecialValues() {
    List<PrometheusText.Sample> samples =
        PrometheusText.parse(
            """
        # HELP vllm:num_requests_waiting Number of requests waiting.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="team \\"a\\" model"} 7.0 1712345678000
        vllm:kv_cache_usage_perc{model_name="m"} NaN
        up 1
        broken{label="unterminated 3
        """);

    assertThat(samples).hasSize(3);
    assertThat(samples.get(0).name()).isEqualTo("vllm:num_requests_waiting");
    assertThat(samples.get(0).labels())
        .containsEntry("model_name", "team \"a\" model")
        .containsEntry("engine", "0");
    assertThat(samples.get(0).value()).isEqualTo(7.0);
    assertThat(samples.get(1).value()).isNaN();
    assertThat(samples.get(2).labels()).isEmpty();
  }

  @Test
  void signalCountsOnlyTheServedModelAndSumsEngines() {
    List<PrometheusText.Sample> samples =
        PrometheusText.parse(
            """
        vllm:num_requests_waiting{engine="0",model_name="llama"} 3
        vllm:num_requests_waiting{engine="1",model_name="llama"} 4
        vllm:num_requests_waiting{engine="0",model_name="other"} 100
        vllm:kv_cache_usage_perc{engine="0",model_name="llama"} 0.2
        vllm:kv_cache_usage_perc{engine="1",model_name="llama"} 0.6
        """);
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.QUEUE, "llama")).hasValue(7.0);
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.KV_CACHE, "llama").getAsDouble())
        .isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.RUNNING, "llama")).isEmpty();
  }

  @Test
  void anEmbeddingModelUnderLoadShowsItInItsQueueNotInItsKvCache() {
    // A saturated pooling server as vLLM's Prometheus logger writes it: the scheduler's gauges
    // carry the load; the KV-cache gauge exists but an encoder-only model allocates no pages.
    List<PrometheusText.Sample> samples =
        PrometheusText.parse(
            """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="bge-m3"} 256.0
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="bge-m3"} 41.0
        # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="bge-m3"} 0.0
        """);
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.QUEUE, "bge-m3")).hasValue(41.0);
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.RUNNING, "bge-m3")).hasValue(256.0);
    // Why the CRD refuses kvCache for embedding backends: this would read as an idle server.
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.KV_CACHE, "bge-m3")).hasValue(0.0);
  }
}
