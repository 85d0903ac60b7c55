package io.aihandler.controllers.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ScalingMetric;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void readsNamesWithColonsEscapedLabelsTimestampsAndSpecialValues() {
    List<PrometheusText.Sample> samples = PrometheusText.parse("""
        # HELP vllm:num_requests_waiting Number of requests waiting.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="team \\"a\\" model"} 7.0 1712345678000
        vllm:kv_cache_usage_perc{model_name="m"} NaN
        up 1
        broken{label="unterminated 3
        """);

    assertThat(samples).hasSize(3);
    assertThat(samples.get(0).name()).isEqualTo("vllm:num_requests_waiting");
    assertThat(samples.get(0).labels()).containsEntry("model_name", "team \"a\" model").containsEntry("engine", "0");
    assertThat(samples.get(0).value()).isEqualTo(7.0);
    assertThat(samples.get(1).value()).isNaN();
    assertThat(samples.get(2).labels()).isEmpty();
  }

  @Test
  void signalCountsOnlyTheServedModelAndSumsEngines() {
    List<PrometheusText.Sample> samples = PrometheusText.parse("""
        vllm:num_requests_waiting{engine="0",model_name="llama"} 3
        vllm:num_requests_waiting{engine="1",model_name="llama"} 4
        vllm:num_requests_waiting{engine="0",model_name="other"} 100
        vllm:kv_cache_usage_perc{engine="0",model_name="llama"} 0.2
        vllm:kv_cache_usage_perc{engine="1",model_name="llama"} 0.6
        """);
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.QUEUE, "llama")).hasValue(7.0);
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.KV_CACHE, "llama").getAsDouble()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(VllmLoadSignal.of(samples, ScalingMetric.RUNNING, "llama")).isEmpty();
  }
}
