package io.aihandler.controllers.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the idle window reads from a vLLM pod's metrics text. */
class VllmActivitySignalTest {

  private static final String TEXT =
      """
      # HELP vllm:num_requests_running Number of requests in model execution batches.
      # TYPE vllm:num_requests_running gauge
      vllm:num_requests_running{engine="0",model_name="llama"} 1.0
      vllm:num_requests_running{engine="1",model_name="llama"} 0.0
      vllm:num_requests_running{engine="0",model_name="other"} 9.0
      # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
      # TYPE vllm:num_requests_waiting gauge
      vllm:num_requests_waiting{engine="0",model_name="llama"} 2.0
      vllm:num_requests_waiting{engine="1",model_name="llama"} 0.0
      # HELP vllm:request_success_total Count of successfully processed requests.
      # TYPE vllm:request_success_total counter
      vllm:request_success_total{engine="0",finished_reason="stop",model_name="llama"} 120.0
      vllm:request_success_total{engine="0",finished_reason="length",model_name="llama"} 7.0
      vllm:request_success_total{engine="0",finished_reason="abort",model_name="llama"} 1.0
      vllm:request_success_total{engine="1",finished_reason="stop",model_name="llama"} 30.0
      vllm:request_success_total{engine="0",finished_reason="stop",model_name="other"} 999.0
      """;

  @Test
  void inFlightSumsRunningAndWaitingAndCompletedSumsEveryFinishReasonOfTheServedModel() {
    PodActivity activity = VllmLoadSignal.activity(PrometheusText.parse(TEXT), "llama");

    assertThat(activity).isEqualTo(new PodActivity(3.0, 158.0));
  }

  @Test
  void aPodThatHasServedNothingYetHasNoSuccessSeriesAndCountsZero() {
    String fresh =
        """
        vllm:num_requests_running{engine="0",model_name="llama"} 0.0
        vllm:num_requests_waiting{engine="0",model_name="llama"} 0.0
        """;

    assertThat(VllmLoadSignal.activity(PrometheusText.parse(fresh), "llama"))
        .isEqualTo(new PodActivity(0, 0));
  }

  @Test
  void metricsWithoutTheRequestGaugesGiveNoActivitySoThePodIsNeverIdle() {
    String partial =
        """
        vllm:kv_cache_usage_perc{engine="0",model_name="llama"} 0.0
        vllm:request_success_total{engine="0",finished_reason="stop",model_name="llama"} 5.0
        """;

    assertThat(VllmLoadSignal.activity(PrometheusText.parse(partial), "llama")).isNull();
  }
}
