package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.testing.ServerSentEvents;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OpenAI stream through a real sidecar to a vLLM-shaped upstream, as the client receives it:
 * each chunk is the upstream's own bytes with the sidecar's id, created and model, and without the
 * {@code "usage":null} member OpenAI adds to every chunk when the client did not ask for usage; the
 * usage chunk is metered either way and sent only when asked for.
 */
class StreamPassThroughTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"chat\",\"stream\":true%s,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  MockWebServer upstream;
  Sidecar sidecar;
  List<String> upstreamData;
  String upstreamBody;

  @BeforeEach
  void start() throws Exception {
    upstreamBody = Files.readString(Path.of("../bench/upstream/chat-completion.sse"));
    // A number as the upstream wrote it, which a parse and write again would change (-1.25E-4).
    upstreamBody = upstreamBody.replace("\"logprobs\":null", "\"logprobs\":{\"x\":-1.25e-4}");
    upstreamData = new ArrayList<>();
    for (ServerSentEvents.Event e : ServerSentEvents.parse(upstreamBody)) {
      if (!e.data().equals("[DONE]")) {
        upstreamData.add(e.data());
      }
    }
    upstream = new MockWebServer();
    upstream.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - name: llama
                provider: vllm
                baseUrl: "%s"
                model: llama-3.3-70b
                pricing: {inputPerMillionTokens: 1.0, outputPerMillionTokens: 2.0}
            routes:
              - name: chat
                targets: [{backend: llama}]
            """
                .formatted(upstream.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    upstream.close();
  }

  private List<String> stream(String options) throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "text/event-stream")
            .chunkedBody(upstreamBody, 97)
            .build());
    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted(options));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).endsWith("data: [DONE]\n\n");
    List<String> data = new ArrayList<>();
    for (ServerSentEvents.Event e : ServerSentEvents.parse(r.body())) {
      assertThat(e.event()).isNull();
      if (!e.data().equals("[DONE]")) {
        data.add(e.data());
      }
    }
    return data;
  }

  @Test
  void eachChunkIsTheUpstreamsOwnWithTheSidecarsFieldsAndNoUsage() throws Exception {
    List<String> sent = stream("");

    assertThat(sent).hasSize(upstreamData.size() - 1); // the usage chunk is not sent
    String id = MAPPER.readTree(sent.getFirst()).path("id").asText();
    assertThat(id).startsWith("chatcmpl-").isNotEqualTo("chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
    for (int i = 0; i < sent.size(); i++) {
      JsonNode chunk = MAPPER.readTree(sent.get(i));
      assertThat(chunk.path("id").asText()).isEqualTo(id);
      assertThat(chunk.path("model").asText()).isEqualTo("chat");
      assertThat(chunk.has("usage")).isFalse();
      // Byte for byte the upstream's chunk, but for the three fields and the usage member.
      ObjectNode expected = (ObjectNode) MAPPER.readTree(upstreamData.get(i));
      expected.put("id", id).put("model", "chat").set("created", chunk.get("created"));
      expected.remove("usage");
      assertThat(sent.get(i))
          .isEqualTo(MAPPER.writeValueAsString(expected).replace("-1.25E-4", "-1.25e-4"));
    }
    assertThat(sidecar.metrics())
        .contains(
            "aihandler_tokens_total{backend=\"llama\",direction=\"input\",task=\"none\"} 98.0")
        .contains(
            "aihandler_tokens_total{backend=\"llama\",direction=\"output\",task=\"none\"} 19.0");
  }

  @Test
  void aClientThatAsksForUsageGetsTheUsageChunkAndTheNullsAsSent() throws Exception {
    List<String> sent = stream(",\"stream_options\":{\"include_usage\":true}");

    assertThat(sent).hasSize(upstreamData.size());
    for (int i = 0; i < sent.size() - 1; i++) {
      assertThat(sent.get(i)).contains("\"usage\":null");
    }
    JsonNode usage = MAPPER.readTree(sent.getLast());
    assertThat(usage.path("choices")).isEmpty();
    assertThat(usage.path("usage").path("completion_tokens").asLong()).isEqualTo(19);
  }
}
