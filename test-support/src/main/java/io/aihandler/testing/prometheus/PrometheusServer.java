package io.aihandler.testing.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus (Debian's {@code prometheus} package) on loopback, scraping the given targets
 * every second, with its own storage directory, queried through its HTTP API. One per test class:
 * the first scrape lands a few seconds after start, so {@link #awaitUp} before asserting.
 *
 * <p>Where the binary is missing, {@link #start} aborts the test with a message saying how to get
 * it, unless {@code AIHANDLER_REQUIRE_PROMETHEUS=true} (set by {@code .ci/run}, which installs the
 * package first), which turns absence into a failure.
 */
public final class PrometheusServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path directory;
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Process process, Path directory, URI base) {
    this.process = process;
    this.directory = directory;
    this.base = base;
  }

  /** The {@code prometheus} binary on this machine, if there is one. */
  public static Optional<Path> binary() {
    return onPath("prometheus");
  }

  /** The {@code promtool} binary on this machine, if there is one. */
  public static Optional<Path> promtool() {
    return onPath("promtool");
  }

  /**
   * Aborts the calling test, or fails it when Prometheus is required, if the named tool is absent.
   */
  public static Path require(Optional<Path> tool, String name) {
    if (tool.isPresent()) {
      return tool.get();
    }
    String message =
        name
            + " is not installed on this machine: apt-get install -y prometheus (Debian 12 ships"
            + " 2.42 with promtool); .ci/run installs it when it can";
    if (Boolean.parseBoolean(System.getenv("AIHANDLER_REQUIRE_PROMETHEUS"))) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
    throw new IllegalStateException("unreachable");
  }

  /**
   * Starts Prometheus scraping each {@code host:port} target's {@code metricsPath} every second,
   * with the given rule files loaded (evaluated every second too).
   */
  public static PrometheusServer start(String metricsPath, List<String> targets, List<Path> rules)
      throws IOException {
    return startOn(freePort(), metricsPath, targets, rules);
  }

  /**
   * As {@link #start(String, List, List)}, listening on a port chosen beforehand: for a client
   * configured with Prometheus's URL before there is anything to scrape.
   */
  public static PrometheusServer startOn(
      int port, String metricsPath, List<String> targets, List<Path> rules) throws IOException {
    Map<String, Map<String, String>> unlabelled = new LinkedHashMap<>();
    targets.forEach(t -> unlabelled.put(t, Map.of()));
    return startLabelledOn(port, metricsPath, unlabelled, rules);
  }

  /**
   * Starts Prometheus like {@link #start(String, List, List)}, adding to each {@code host:port}
   * target's series the given labels, the way service discovery and relabelling add {@code
   * namespace}, {@code pod} or {@code workflow} in a cluster.
   */
  public static PrometheusServer startLabelled(
      String metricsPath, Map<String, Map<String, String>> targets, List<Path> rules)
      throws IOException {
    return startLabelledOn(freePort(), metricsPath, targets, rules);
  }

  private static PrometheusServer startLabelledOn(
      int port, String metricsPath, Map<String, Map<String, String>> targets, List<Path> rules)
      throws IOException {
    Path prometheus = require(binary(), "prometheus");
    Path directory = Files.createTempDirectory("prometheus-test");
    StringBuilder config = new StringBuilder();
    config.append("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n");
    if (!rules.isEmpty()) {
      config.append("rule_files:\n");
      for (Path rule : rules) {
        config.append("  - ").append(JSON.writeValueAsString(rule.toAbsolutePath().toString()));
        config.append('\n');
      }
    }
    config.append("scrape_configs:\n  - job_name: test\n    metrics_path: ");
    config.append(JSON.writeValueAsString(metricsPath)).append('\n');
    config.append("    static_configs:\n");
    for (Map.Entry<String, Map<String, String>> target : targets.entrySet()) {
      config
          .append("      - targets: ")
          .append(JSON.writeValueAsString(List.of(target.getKey())))
          .append('\n');
      if (!target.getValue().isEmpty()) {
        config.append("        labels: ").append(JSON.writeValueAsString(target.getValue()));
        config.append('\n');
      }
    }
    Path configFile = directory.resolve("prometheus.yml");
    Files.writeString(configFile, config);
    Process process =
        new ProcessBuilder(
                prometheus.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle")
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("prometheus.log").toFile())
            .start();
    PrometheusServer server =
        new PrometheusServer(process, directory, URI.create("http://127.0.0.1:" + port));
    server.awaitReady();
    return server;
  }

  /** Starts Prometheus scraping {@code /metrics} of the targets, with no rules. */
  public static PrometheusServer start(List<String> targets) throws IOException {
    return start("/metrics", targets, List.of());
  }

  /** The base URL of its HTTP API, e.g. {@code http://127.0.0.1:39123}. */
  public URI url() {
    return base;
  }

  /** Waits until every target has been scraped successfully at least once. */
  public void awaitUp(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      JsonNode result = query("min(up)");
      if (result.size() == 1 && result.get(0).path("value").path(1).asText().equals("1")) {
        return;
      }
      sleep(200);
    }
    throw new AssertionError("targets not up within " + timeout + ":\n" + log());
  }

  /**
   * Waits until Prometheus has scraped every target twice more, so what the targets exposed before
   * this call is in its storage.
   */
  public void awaitFreshScrape() {
    sleep(2_500);
  }

  /** An instant query: the {@code data.result} array of its answer. */
  public JsonNode query(String promql) {
    JsonNode answer =
        get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return answer.path("data").path("result");
  }

  /** A range query over the last {@code range}, one point per {@code step}. */
  public JsonNode queryRange(String promql, Duration range, Duration step) {
    long end = Instant.now().getEpochSecond();
    long start = end - range.toSeconds();
    return get("/api/v1/query_range?query="
            + URLEncoder.encode(promql, StandardCharsets.UTF_8)
            + "&start="
            + start
            + "&end="
            + end
            + "&step="
            + step.toSeconds())
        .path("data")
        .path("result");
  }

  /** The alerts the loaded rules have pending or firing now. */
  public JsonNode alerts() {
    return get("/api/v1/alerts").path("data").path("alerts");
  }

  /** A value of an instant query's single series, or NaN when it returned none. */
  public double scalar(String promql) {
    JsonNode result = query(promql);
    if (result.isEmpty()) {
      return Double.NaN;
    }
    if (result.size() > 1) {
      throw new AssertionError(promql + " returned " + result.size() + " series: " + result);
    }
    return Double.parseDouble(result.get(0).path("value").path(1).asText());
  }

  /** What Prometheus has written to its log so far. */
  public String log() {
    try {
      return Files.readString(directory.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(base.resolve(pathAndQuery))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new AssertionError(
            "Prometheus refused " + pathAndQuery + ": " + response.statusCode() + " " + body);
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("Prometheus exited at start:\n" + log());
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(base.resolve("/-/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(100);
    }
    throw new AssertionError("Prometheus not ready within " + START_TIMEOUT + ":\n" + log());
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** A port free on loopback now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
