package io.aihandler.router.abuse;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Ordinary HTTP/1.1 requests to the sidecar. Each has a timeout, reads at most {@link #MAX_BODY} of
 * the answer (a probe's answer may be endless), and reports a failed exchange as status -1 with the
 * exception, so a probe's failure message says what happened.
 */
public final class Http implements AutoCloseable {

  /** What came back. */
  public record Response(int status, java.net.http.HttpHeaders headers, String body) {

    public Optional<String> header(String name) {
      return headers == null ? Optional.empty() : headers.firstValue(name);
    }

    @Override
    public String toString() {
      return (status < 0 ? "no response: " : "HTTP " + status + " ") + Text.clip(body, 400);
    }
  }

  static final int MAX_BODY = 16 * 1024 * 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient client;

  public Http() {
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /**
   * A client of its own: its connections are new ones, not kept-alive ones from earlier. Close it
   * when done, or its idle connection stays open, and so does the sidecar's end of it.
   */
  public static Http fresh() {
    return new Http();
  }

  /** Closes the client's connections once its requests are done. */
  @Override
  public void close() {
    client.close();
  }

  public Response get(int port, String path) throws InterruptedException {
    return send(HttpRequest.newBuilder(uri(port, path)).timeout(TIMEOUT).GET());
  }

  /** A JSON POST; {@code headers} are name, value pairs (a name may repeat). */
  public Response post(int port, String path, String body, String... headers)
      throws InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(port, path))
            .timeout(TIMEOUT)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  /** A chat completion with one user message. */
  public Response chat(int port, String model, String text, String... headers)
      throws InterruptedException {
    return post(port, "/v1/chat/completions", Chat.oneMessage(model, text), headers);
  }

  private Response send(HttpRequest.Builder request) throws InterruptedException {
    try {
      HttpResponse<InputStream> r =
          client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        byte[] bytes = in.readNBytes(MAX_BODY);
        return new Response(r.statusCode(), r.headers(), new String(bytes, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      return new Response(-1, null, e.toString());
    }
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
