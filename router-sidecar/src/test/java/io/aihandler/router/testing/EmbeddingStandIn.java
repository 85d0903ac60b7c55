package io.aihandler.router.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * An embeddings provider stand-in that answers each request as its real API would: as many vectors
 * as inputs, of the requested (or its default) length, in the encoding asked for. Every request is
 * recorded; a test may queue other answers (errors, wrong vectors) for the next ones.
 */
public final class EmbeddingStandIn implements AutoCloseable {

  /** The API a stand-in speaks. */
  public enum Api {
    OPENAI,
    VLLM,
    GEMINI
  }

  /** One request as the stand-in saw it. */
  public record Seen(
      String target, String authorization, String apiKey, String googKey, JsonNode body) {}

  private final MockWebServer server = new MockWebServer();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Function<JsonNode, MockResponse>> next =
      new ConcurrentLinkedQueue<>();
  private final Api api;
  private final int seed;
  private final int defaultDimensions;

  public EmbeddingStandIn(Api api, int seed, int defaultDimensions) throws IOException {
    this.api = api;
    this.seed = seed;
    this.defaultDimensions = defaultDimensions;
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            JsonNode body =
                EmbeddingFixtures.json(request.getBody() == null ? "{}" : request.getBody().utf8());
            seen.add(
                new Seen(
                    request.getTarget(),
                    request.getHeaders().get("authorization"),
                    request.getHeaders().get("api-key"),
                    request.getHeaders().get("x-goog-api-key"),
                    body));
            Function<JsonNode, MockResponse> queued = next.poll();
            return queued != null ? queued.apply(body) : answer(body);
          }
        });
    server.start();
  }

  /** The URL a backend's {@code baseUrl} names: {@code .../v1} for OpenAI-shaped APIs. */
  public String baseUrl() {
    return api == Api.GEMINI ? server.url("/").toString() : server.url("/v1").toString();
  }

  /** The vector this stand-in returns for input {@code index}. */
  public float[] vector(int index, int dimensions) {
    return EmbeddingFixtures.vector(seed, index, dimensions);
  }

  /** Answers the next request this way instead. */
  public void thenAnswer(Function<JsonNode, MockResponse> answer) {
    next.add(answer);
  }

  /** Answers the next request with this many vectors of this length instead. */
  public void thenVectors(int count, int dimensions) {
    next.add(body -> EmbeddingFixtures.ok(shaped(body, count, dimensions)));
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  public int count() {
    return seen.size();
  }

  public void forget() {
    seen.clear();
    next.clear();
  }

  private MockResponse answer(JsonNode body) {
    int inputs = api == Api.GEMINI ? body.path("requests").size() : inputs(body.path("input"));
    JsonNode dims =
        api == Api.GEMINI
            ? body.path("requests").path(0).path("outputDimensionality")
            : body.path("dimensions");
    return EmbeddingFixtures.ok(
        shaped(body, inputs, dims.isInt() ? dims.intValue() : defaultDimensions));
  }

  private String shaped(JsonNode body, int count, int dimensions) {
    boolean base64 = "base64".equals(body.path("encoding_format").asText());
    return switch (api) {
      case OPENAI ->
          EmbeddingFixtures.openAi(
              seed, count, dimensions, base64, "text-embedding-3-small", 5 * count);
      case VLLM -> EmbeddingFixtures.vllm(seed, count, dimensions, base64, "bge-m3", 4 * count);
      case GEMINI -> EmbeddingFixtures.gemini(seed, count, dimensions);
    };
  }

  private static int inputs(JsonNode input) {
    if (input.isTextual()) {
      return 1;
    }
    return input.size() > 0 && input.get(0).isInt() ? 1 : input.size();
  }

  @Override
  public void close() {
    server.close();
  }
}
