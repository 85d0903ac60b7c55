package io.aihandler.router.abuse;

import io.aihandler.router.testing.EmbeddingFixtures;
import io.aihandler.router.testing.OpenAiFixtures;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A model API stand-in that records every request it receives: an external provider (OpenAI's
 * answers) or an in-cluster vLLM (vLLM's answers). Tests assert on what reached it, e.g. that no
 * request carrying restricted data reached the external one.
 */
public final class RecordingBackend implements AutoCloseable {

  /** One request as the stand-in saw it. */
  public record Seen(String path, String authorization, String body) {}

  private final MockWebServer server = new MockWebServer();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final boolean external;
  private volatile Function<RecordedRequest, MockResponse> responder;

  private RecordingBackend(boolean external) throws IOException {
    this.external = external;
    this.responder = this::answer;
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            seen.add(
                new Seen(
                    request.getTarget(),
                    request.getHeaders().get("authorization"),
                    request.getBody() == null ? "" : request.getBody().utf8()));
            return responder.apply(request);
          }
        });
    server.start();
  }

  /** An external provider speaking OpenAI's API. */
  public static RecordingBackend external() throws IOException {
    return new RecordingBackend(true);
  }

  /** An in-cluster vLLM server. */
  public static RecordingBackend inCluster() throws IOException {
    return new RecordingBackend(false);
  }

  /** The base URL a backend's {@code baseUrl} names ({@code .../v1}). */
  public String baseUrl() {
    return server.url("/v1").toString();
  }

  /** Answers every later request this way (the default is a normal completion or stream). */
  public void respondWith(Function<RecordedRequest, MockResponse> responder) {
    this.responder = responder;
  }

  /** Back to normal answers. */
  public void respondNormally() {
    this.responder = this::answer;
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  public int count() {
    return seen.size();
  }

  /** Requests whose body contains this text. */
  public List<Seen> containing(String text) {
    return seen.stream().filter(s -> s.body().contains(text)).toList();
  }

  public void forget() {
    seen.clear();
  }

  private MockResponse answer(RecordedRequest request) {
    String body = request.getBody() == null ? "" : request.getBody().utf8();
    if (request.getTarget().endsWith("/embeddings")) {
      return embeddings(body);
    }
    if (body.contains("\"stream\":true")) {
      return OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("fine", " thanks"), true));
    }
    return OpenAiFixtures.ok(
        external
            ? OpenAiFixtures.openAiCompletion("hello from outside", "stop")
            : OpenAiFixtures.vllmCompletion("hello from inside", "stop"));
  }

  /** As many vectors of eight as the request has inputs, in OpenAI's or vLLM's shape. */
  private MockResponse embeddings(String body) {
    com.fasterxml.jackson.databind.JsonNode input = EmbeddingFixtures.json(body).path("input");
    int inputs = input.isArray() ? input.size() : 1;
    boolean base64 = body.contains("\"encoding_format\":\"base64\"");
    return OpenAiFixtures.ok(
        external
            ? EmbeddingFixtures.openAi(1, inputs, 8, base64, "text-embedding-3-small", inputs)
            : EmbeddingFixtures.vllm(2, inputs, 8, base64, "bge-m3", inputs));
  }

  @Override
  public void close() {
    server.close();
  }
}
