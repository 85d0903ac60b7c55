package io.aihandler.controllers.autoscaling;

/**
 * What one vLLM pod's metrics say about its use: the idle window of scale to zero needs both, since
 * a burst that starts and ends between two scrapes shows up only in the counter.
 *
 * @param inFlight requests running or waiting now ({@code vllm:num_requests_running} + {@code
 *     vllm:num_requests_waiting})
 * @param completed requests finished since the pod started ({@code vllm:request_success_total}, all
 *     finish reasons)
 */
public record PodActivity(double inFlight, double completed) {}
