package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restricted Responses request never reaches the external backend, and neither does any response
 * that continues a restricted one: the stored turns carry their data classes. The route prefers an
 * external stand-in over an in-cluster one, so only the data class keeps a request away from it.
 */
class ResponsesDataClassTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  final List<String> atExternal = new CopyOnWriteArrayList<>();
  final List<String> atLocal = new CopyOnWriteArrayList<>();
  MockWebServer external;
  MockWebServer local;
  Sidecar sidecar;

  private static Dispatcher recording(List<String> bodies) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        bodies.add(body);
        if (body.contains("\"stream\":true")) {
          return OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("do", "ne"), true));
        }
        return OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("done", "stop"));
      }
    };
  }

  @BeforeEach
  void start() throws Exception {
    external = new MockWebServer();
    external.setDispatcher(recording(atExternal));
    external.start();
    local = new MockWebServer();
    local.setDispatcher(recording(atLocal));
    local.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: ext, provider: openai-compatible, baseUrl: "%s", model: m1, locality: external}
              - {name: llama, provider: vllm, baseUrl: "%s", model: llama}
            dataClasses:
              - name: restricted
                allowedLocalities: [in-cluster]
                detectors: [{type: email}]
              - name: public
                allowedLocalities: [in-cluster, external]
            defaultDataClass: public
            routes:
              - name: chat
                strategy: failover
                targets: [{backend: ext, priority: 0}, {backend: llama, priority: 1}]
            """
                .formatted(external.url("/v1"), local.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    external.close();
    local.close();
  }

  private String post(String body, String... headers) throws Exception {
    HttpResponse<String> r = sidecar.post("/v1/responses", body, headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private static String id(String response) throws Exception {
    return JSON.readTree(response).path("id").asText();
  }

  @Test
  void aPublicRequestGoesToThePreferredExternalBackend() throws Exception {
    post("{\"model\":\"chat\",\"input\":\"What is a haiku?\"}");

    assertThat(atExternal).hasSize(1);
    assertThat(atLocal).isEmpty();
  }

  @Test
  void personalDataInAnyInputItemKeepsTheRequestInTheCluster() throws Exception {
    post(
        "{\"model\":\"chat\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":"
            + "[{\"type\":\"input_text\",\"text\":\"Mail jane.doe@example.com\"}]}]}");
    post(
        "{\"model\":\"chat\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\","
            + "\"arguments\":\"{}\"},{\"type\":\"function_call_output\",\"call_id\":\"c1\","
            + "\"output\":\"owner: jane.doe@example.com\"}]}");
    post(
        "{\"model\":\"chat\",\"instructions\":\"Reply to jane.doe@example.com\",\"input\":\"hi\"}");

    assertThat(atExternal).isEmpty();
    assertThat(atLocal).hasSize(3);
  }

  @Test
  void aContinuationOfARestrictedResponseStaysRestricted() throws Exception {
    // Restricted by the header alone: nothing in the text would tell a later turn.
    String first =
        post(
            "{\"model\":\"chat\",\"input\":\"Summarise our plans\"}",
            "x-aihandler-data-class",
            "restricted");
    assertThat(atLocal).hasSize(1);

    String second =
        post(
            "{\"model\":\"chat\",\"previous_response_id\":\""
                + id(first)
                + "\",\"input\":\"Shorter\"}");
    post(
        "{\"model\":\"chat\",\"stream\":true,\"previous_response_id\":\""
            + id(second)
            + "\",\"input\":\"Shorter still\"}");

    assertThat(atExternal).isEmpty();
    assertThat(atLocal).hasSize(3);
    assertThat(atLocal.get(2)).contains("Summarise our plans").contains("Shorter still");
  }
}
