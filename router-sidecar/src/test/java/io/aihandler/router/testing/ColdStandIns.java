package io.aihandler.router.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * Stand-ins for a cold start: a vLLM server whose {@code /health} and API answer only once it is
 * "ready" (before that vLLM's 503 while loading, as its server does until the engine is up), and a
 * hosted OpenAI-compatible model that always answers. Both record every API request's body, so a
 * test counts exactly what reached each.
 */
public final class ColdStandIns {

  private ColdStandIns() {}

  /** One stand-in server and the bodies of the API requests it received. */
  public abstract static class StandIn implements AutoCloseable {
    public final MockWebServer server = new MockWebServer();
    public final List<String> bodies = new CopyOnWriteArrayList<>();

    StandIn() {
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              return answer(request);
            }
          });
    }

    /** Starts on a free port. */
    public StandIn start() throws IOException {
      server.start();
      return this;
    }

    /** Starts on this loopback port (a backend coming back where it was). */
    public StandIn start(int port) throws IOException {
      server.start(InetAddress.getLoopbackAddress(), port);
      return this;
    }

    public String baseUrl() {
      return server.url("/v1").toString();
    }

    /** API requests (not health probes) whose body contains {@code text}. */
    public long received(String text) {
      return bodies.stream().filter(b -> b.contains(text)).count();
    }

    abstract MockResponse answer(RecordedRequest request);

    static String body(RecordedRequest r) {
      return r.getBody() == null ? "" : r.getBody().utf8();
    }

    static boolean streaming(String body) {
      return body.replace(" ", "").contains("\"stream\":true");
    }

    @Override
    public void close() {
      server.close();
    }
  }

  /** vLLM: 503 on health and API until {@link #ready}, then it serves chat and embeddings. */
  public static final class Vllm extends StandIn {
    public final AtomicBoolean ready = new AtomicBoolean();

    /** Serving without its health endpoint saying so yet: lets a test tell config from probe. */
    public final AtomicBoolean servingOnly = new AtomicBoolean();

    public final List<String> healthProbes = new CopyOnWriteArrayList<>();

    @Override
    MockResponse answer(RecordedRequest r) {
      String path = r.getUrl().encodedPath();
      if (path.equals("/health")) {
        healthProbes.add(path);
        return new MockResponse.Builder().code(ready.get() ? 200 : 503).build();
      }
      String body = body(r);
      bodies.add(body);
      if (!ready.get() && !servingOnly.get()) {
        return OpenAiFixtures.vllmError(503, "ServiceUnavailableError", "model is loading");
      }
      if (path.endsWith("/embeddings")) {
        return EmbeddingFixtures.ok(EmbeddingFixtures.vllm(3, 1, 8, false, "llama", 5));
      }
      if (streaming(body)) {
        return OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("from ", "llama"), true));
      }
      return OpenAiFixtures.ok(OpenAiFixtures.vllmCompletion("from llama", "stop"));
    }
  }

  /** A hosted model: always answers chat and embeddings. */
  public static final class Hosted extends StandIn {
    @Override
    MockResponse answer(RecordedRequest r) {
      String body = body(r);
      bodies.add(body);
      if (r.getUrl().encodedPath().endsWith("/embeddings")) {
        return EmbeddingFixtures.ok(EmbeddingFixtures.openAi(1, 1, 8, false, "emb", 5));
      }
      if (streaming(body)) {
        return OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("from ", "gpt"), true));
      }
      return OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("from gpt", "stop"));
    }
  }
}
