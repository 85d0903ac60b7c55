package io.aihandler.controllers.advisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Instant queries against the Prometheus HTTP API ({@code GET /api/v1/query}). Every wait has a
 * timeout and every answer a size bound; an answer that is not a vector of samples is an error,
 * never an empty result.
 */
public final class PrometheusClient {

  /** One series of an instant vector: its labels and its value. */
  public record Sample(Map<String, String> labels, double value) {

    public String label(String name) {
      return labels.getOrDefault(name, "");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final Duration timeout;
  private final int maxResponseBytes;
  private final HttpClient http;

  /**
   * @param base the API's base URL, e.g. {@code http://prometheus.monitoring:9090}; a path prefix
   *     (a proxy's) is kept
   */
  public PrometheusClient(URI base, Duration timeout, int maxResponseBytes) {
    this.base = base;
    this.timeout = timeout;
    this.maxResponseBytes = maxResponseBytes;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The host the client reads, for messages: scheme, host and port, no credentials or path. */
  public String describe() {
    return base.getScheme()
        + "://"
        + base.getHost()
        + (base.getPort() < 0 ? "" : ":" + base.getPort());
  }

  /** Runs an instant query at the current time and returns its vector. */
  public List<Sample> query(String promql) throws PrometheusQueryException {
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    URI uri =
        base.resolve(
            path
                + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&timeout="
                + Math.max(1, timeout.toSeconds())
                + "s");
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").build();
    HttpResponse<byte[]> response;
    CompletableFuture<HttpResponse<byte[]>> pending =
        http.sendAsync(request, info -> new BoundedBody(maxResponseBytes));
    try {
      // One deadline for the whole exchange: a server that trickles its body is cut off too.
      response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new PrometheusQueryException(
          "Prometheus at " + describe() + " did not answer within " + timeout, e, true);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TooLarge || cause.getCause() instanceof TooLarge) {
        throw new PrometheusQueryException(
            "Prometheus at "
                + describe()
                + " answered more than "
                + maxResponseBytes
                + " bytes; narrow the series the advisor reads");
      }
      if (cause instanceof HttpTimeoutException) {
        throw new PrometheusQueryException(
            "Prometheus at " + describe() + " did not answer within " + timeout, cause, true);
      }
      throw new PrometheusQueryException(
          "Prometheus at "
              + describe()
              + " is unreachable ("
              + cause.getClass().getSimpleName()
              + ")",
          cause,
          true);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new PrometheusQueryException("interrupted while querying Prometheus", e, true);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new PrometheusQueryException(
          "Prometheus at "
              + describe()
              + " answered HTTP "
              + response.statusCode()
              + " with a body that is not the HTTP API's JSON",
          e,
          false);
    }
    String status = body.path("status").asText();
    if (response.statusCode() != 200 || !"success".equals(status)) {
      throw new PrometheusQueryException(
          "Prometheus at "
              + describe()
              + " refused a query: HTTP "
              + response.statusCode()
              + (body.hasNonNull("errorType") ? " " + clip(body.path("errorType").asText()) : "")
              + (body.hasNonNull("error") ? ": " + clip(body.path("error").asText()) : ""));
    }
    JsonNode data = body.path("data");
    if (!"vector".equals(data.path("resultType").asText())) {
      throw new PrometheusQueryException(
          "Prometheus at "
              + describe()
              + " answered a "
              + clip(data.path("resultType").asText("missing"))
              + " where an instant vector was expected");
    }
    List<Sample> samples = new ArrayList<>();
    for (JsonNode series : data.path("result")) {
      Map<String, String> labels = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = series.path("metric").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> label = it.next();
        labels.put(label.getKey(), label.getValue().asText());
      }
      JsonNode value = series.path("value");
      if (!value.isArray() || value.size() != 2) {
        throw new PrometheusQueryException(
            "Prometheus at " + describe() + " answered a sample without a value");
      }
      samples.add(new Sample(Map.copyOf(labels), parse(value.get(1).asText())));
    }
    return List.copyOf(samples);
  }

  /** A body larger than the bound. */
  private static final class TooLarge extends IOException {
    TooLarge() {
      super("response body too large");
    }
  }

  /** Collects a body up to a bound, and fails (cancelling the stream) beyond it. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

    private final int max;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + buffer.remaining() > max) {
          result.completeExceptionally(new TooLarge());
          subscription.cancel();
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }

  private static double parse(String value) throws PrometheusQueryException {
    return switch (value) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new PrometheusQueryException("Prometheus answered a value that is no number");
        }
      }
    };
  }

  /** Error text from Prometheus is quoted, but bounded: it may echo the query. */
  private static String clip(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
