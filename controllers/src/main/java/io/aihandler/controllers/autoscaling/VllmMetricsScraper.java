package io.aihandler.controllers.autoscaling;

import io.aihandler.api.v1alpha1.ScalingMetric;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads the load signal from each ready vLLM pod's {@code /metrics}, all pods in parallel, each
 * bounded by a timeout so a hung pod cannot stall reconciliation.
 */
public final class VllmMetricsScraper {

  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param timeout how long one pod may take to answer
   */
  public VllmMetricsScraper(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * Scrapes the given pods.
   *
   * @param metricsUrls pod name to its metrics URL
   * @return one entry per pod, in the order given
   */
  public List<PodLoad> scrape(
      Map<String, URI> metricsUrls, ScalingMetric metric, String servedModelName) {
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<PodLoad>> pending = new ArrayList<>();
      metricsUrls.forEach(
          (pod, url) ->
              pending.add(executor.submit(() -> scrapeOne(pod, url, metric, servedModelName))));
      List<PodLoad> loads = new ArrayList<>();
      for (Future<PodLoad> future : pending) {
        try {
          loads.add(future.get());
        } catch (ExecutionException e) {
          throw new IllegalStateException("metrics scrape failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while reading vLLM metrics", e);
        }
      }
      return loads;
    }
  }

  private PodLoad scrapeOne(String pod, URI url, ScalingMetric metric, String servedModelName) {
    HttpRequest request =
        HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "text/plain").GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return PodLoad.failed(pod, "metrics answered HTTP " + response.statusCode());
      }
      var samples = PrometheusText.parse(response.body());
      var value = VllmLoadSignal.of(samples, metric, servedModelName);
      return value.isPresent()
          ? PodLoad.of(pod, value.getAsDouble(), VllmLoadSignal.activity(samples, servedModelName))
          : PodLoad.failed(
              pod, "metrics lack the " + metric + " signal of model " + servedModelName);
    } catch (HttpTimeoutException e) {
      return PodLoad.failed(pod, "metrics did not answer within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      return PodLoad.failed(pod, "metrics unreachable: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return PodLoad.failed(pod, "interrupted");
    }
  }
}
