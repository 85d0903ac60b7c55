package io.aihandler.router.testing;

import io.aihandler.router.RouterMain;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A real sidecar on a free loopback port, started from a config file in a temp directory. */
public final class Sidecar implements AutoCloseable {

  public final Path dir;
  public final Path configFile;
  public final Map<String, String> env = new ConcurrentHashMap<>();
  public final RouterMain main;
  private final HttpClient http = HttpClient.newHttpClient();

  public Sidecar(Path dir, String yaml, Map<String, String> env) throws Exception {
    this.dir = dir;
    this.configFile = dir.resolve("router.yaml");
    this.env.putAll(env);
    Files.writeString(configFile, yaml);
    this.main = new RouterMain(configFile, 0, 0, this.env::get).start();
  }

  public static Sidecar start(Path dir, String yaml) throws Exception {
    return new Sidecar(dir, yaml, Map.of());
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + main.port();
  }

  /** The management listener, reached over loopback. */
  public String managementUrl() {
    return "http://127.0.0.1:" + main.managementPort();
  }

  /**
   * Rewrites the config file and runs two reload checks now, as the poller would on its next two
   * ticks: a change is applied once two consecutive checks see it unchanged.
   */
  public void rewriteConfig(String yaml) throws IOException {
    Files.writeString(configFile, yaml);
    // As if written a while ago: the reloader takes only files that have been quiet for a moment.
    Files.setLastModifiedTime(
        configFile,
        java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(10)));
    main.config().check();
    main.config().check();
  }

  public HttpResponse<String> post(String path, String body, String... headers)
      throws IOException, InterruptedException {
    return postTo(baseUrl(), path, body, headers);
  }

  /** A POST to another base URL of this sidecar, e.g. {@link #managementUrl()}. */
  public HttpResponse<String> postTo(String base, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return getFrom(baseUrl(), path);
  }

  /** A GET from another base URL of this sidecar, e.g. {@link #managementUrl()}. */
  public HttpResponse<String> getFrom(String base, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public String metrics() {
    return main.metrics().scrape();
  }

  @Override
  public void close() {
    main.close();
  }
}
