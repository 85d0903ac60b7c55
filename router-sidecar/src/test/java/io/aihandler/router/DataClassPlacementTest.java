package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wherever personal data sits in a request and however it is written, and whatever header the
 * client sends, a restricted request never reaches the external backend: a real sidecar whose route
 * prefers an external stand-in over an in-cluster one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataClassPlacementTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  Path dir;
  final List<String> atExternal = new CopyOnWriteArrayList<>();
  final List<String> atLocal = new CopyOnWriteArrayList<>();
  MockWebServer external;
  MockWebServer local;
  Sidecar publicByDefault;
  Sidecar restrictedByDefault;

  private static Dispatcher recording(List<String> bodies) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        bodies.add(request.getBody() == null ? "" : request.getBody().utf8());
        return OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("done", "stop"));
      }
    };
  }

  private String config(String defaultClass, String unscannableLine) {
    return """
        backends:
          - {name: ext, provider: openai-compatible, baseUrl: "%s", model: m1, locality: external}
          - {name: llama, provider: vllm, baseUrl: "%s", model: llama}
        dataClasses:
          - name: restricted
            allowedLocalities: [in-cluster]
            detectors: [{type: email}, {type: phone}, {type: creditCard}, {type: iban}, {type: usSsn}]
          - name: public
            allowedLocalities: [in-cluster, external]
        defaultDataClass: %s
        %s
        routes:
          - name: chat
            strategy: failover
            targets: [{backend: ext, priority: 0}, {backend: llama, priority: 1}]
        """
        .formatted(external.url("/v1"), local.url("/v1"), defaultClass, unscannableLine);
  }

  private Sidecar sidecar(String name, String yaml) throws Exception {
    Path home = Files.createDirectories(dir.resolve(name));
    return Sidecar.start(home, yaml);
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    this.dir = dir;
    external = new MockWebServer();
    external.setDispatcher(recording(atExternal));
    external.start();
    local = new MockWebServer();
    local.setDispatcher(recording(atLocal));
    local.start();
    publicByDefault = sidecar("public", config("public", ""));
    restrictedByDefault = sidecar("restricted", config("restricted", ""));
  }

  @AfterAll
  void stop() {
    publicByDefault.close();
    restrictedByDefault.close();
    external.close();
    local.close();
  }

  @BeforeEach
  void forget() {
    atExternal.clear();
    atLocal.clear();
  }

  /** A chat request to the route, its one user message saying hello, changed by {@code edit}. */
  private static String request(Consumer<ObjectNode> edit) {
    ObjectNode body = JSON.createObjectNode().put("model", "chat");
    body.putArray("messages").addObject().put("role", "user").put("content", "hello");
    edit.accept(body);
    return body.toString();
  }

  private static ObjectNode firstMessage(ObjectNode body) {
    return (ObjectNode) body.get("messages").get(0);
  }

  private static Consumer<ObjectNode> saying(String content) {
    return body -> firstMessage(body).put("content", content);
  }

  static Stream<Arguments> personalData() {
    return Stream.of(
        Arguments.of(
            "an email as a property name in a tool's JSON Schema",
            (Consumer<ObjectNode>)
                body -> {
                  ObjectNode fn =
                      body.putArray("tools")
                          .addObject()
                          .put("type", "function")
                          .putObject("function")
                          .put("name", "lookup");
                  fn.putObject("parameters")
                      .put("type", "object")
                      .putObject("properties")
                      .putObject("jane.doe@example.com")
                      .put("type", "string");
                }),
        Arguments.of(
            "an email under messages[0].model",
            (Consumer<ObjectNode>) body -> firstMessage(body).put("model", "jane.doe@example.com")),
        Arguments.of(
            "an SSN under metadata.model",
            (Consumer<ObjectNode>) body -> body.putObject("metadata").put("model", "078-05-1120")),
        Arguments.of(
            "a \\u-escaped email in tool-call arguments",
            (Consumer<ObjectNode>)
                body -> {
                  ArrayNode messages = (ArrayNode) body.get("messages");
                  ObjectNode call =
                      messages
                          .addObject()
                          .put("role", "assistant")
                          .putArray("tool_calls")
                          .addObject()
                          .put("id", "call_1")
                          .put("type", "function");
                  call.putObject("function")
                      .put("name", "lookup")
                      .put("arguments", "{\"email\":\"jane.doe\\u0040example.com\"}");
                  messages
                      .addObject()
                      .put("role", "tool")
                      .put("tool_call_id", "call_1")
                      .put("content", "found");
                }),
        Arguments.of(
            "a card with no-break spaces", saying("card 4111\u00a01111\u00a01111\u00a01111")),
        Arguments.of("a card with tabs", saying("card 4111\t1111\t1111\t1111")),
        Arguments.of("a card with dots", saying("card 4111.1111.1111.1111")),
        Arguments.of("a card with slashes", saying("card 4111/1111/1111/1111")),
        Arguments.of("a card with double spaces", saying("card 4111  1111  1111  1111")),
        Arguments.of(
            "a card with zero-width spaces", saying("card 4111\u200b1111\u200b1111\u200b1111")),
        Arguments.of("a card in full-width digits", saying("card ４１１１ １１１１ １１１１ １１１１")),
        Arguments.of("a phone with slashes and no-break spaces", saying("call 030/1234\u00a05678")),
        Arguments.of("a phone with dots", saying("call 415.555.0132")),
        Arguments.of(
            "an IBAN with no-break spaces",
            saying("pay DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000")),
        Arguments.of("a lowercase IBAN", saying("pay de89370400440532013000")),
        Arguments.of("an email with a full-width at sign", saying("mail jane.doe＠example.com")),
        Arguments.of(
            "an email with zero-width joiners", saying("mail jane\u200d.doe@exa\u2060mple.com")),
        Arguments.of(
            "an email with a soft hyphen in its domain", saying("mail jane@exam\u00adple.com")),
        Arguments.of("an SSN without hyphens", saying("my SSN is 078051120")),
        Arguments.of(
            "an SSN without hyphens under its key",
            (Consumer<ObjectNode>) body -> body.putObject("metadata").put("ssn", "078051120")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("personalData")
  void personalDataNeverReachesTheExternalBackend(String placement, Consumer<ObjectNode> edit)
      throws Exception {
    HttpResponse<String> r = publicByDefault.post("/v1/chat/completions", request(edit));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(atExternal).as("requests at the external backend").isEmpty();
    assertThat(atLocal).as("served in the cluster instead").hasSize(1);
  }

  static Stream<Arguments> ordinaryNumbers() {
    return Stream.of(
        Arguments.of("an order number", saying("order 123456789 shipped")),
        Arguments.of("a long order number failing Luhn", saying("order 4111 1111 1111 1112")),
        Arguments.of("an IBAN-shaped code failing mod 97", saying("ref de89370400440532013001")),
        Arguments.of("a valid-looking SSN without SSN context", saying("ticket 078051120 closed")),
        Arguments.of("a date and a time", saying("due 12/05/2024 at 10:30")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ordinaryNumbers")
  void ordinaryRequestsStillReachTheExternalBackend(String what, Consumer<ObjectNode> edit)
      throws Exception {
    HttpResponse<String> r = publicByDefault.post("/v1/chat/completions", request(edit));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(atExternal).hasSize(1);
    assertThat(atLocal).isEmpty();
  }

  @Test
  void aHeaderCannotLowerTheDefaultClass() throws Exception {
    String body = request(b -> {});

    HttpResponse<String> one =
        restrictedByDefault.post("/v1/chat/completions", body, "X-AIHandler-Data-Class", "public");

    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
    assertThat(atExternal).isEmpty();
    assertThat(atLocal).hasSize(1);
  }

  @Test
  void everyHeaderValueIsRead() throws Exception {
    String body = request(b -> {});

    HttpResponse<String> repeated =
        publicByDefault.post(
            "/v1/chat/completions",
            body,
            "X-AIHandler-Data-Class",
            "public",
            "X-AIHandler-Data-Class",
            "restricted");
    HttpResponse<String> listed =
        publicByDefault.post(
            "/v1/chat/completions", body, "X-AIHandler-Data-Class", "public, restricted");

    assertThat(repeated.statusCode()).as(repeated.body()).isEqualTo(200);
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    assertThat(atExternal).isEmpty();
    assertThat(atLocal).hasSize(2);
  }

  @Test
  void anUnknownClassInAnyHeaderValueIsRefused() throws Exception {
    HttpResponse<String> r =
        publicByDefault.post(
            "/v1/chat/completions",
            request(b -> {}),
            "X-AIHandler-Data-Class",
            "public",
            "X-AIHandler-Data-Class",
            "secret");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("unknown_data_class");
    assertThat(atExternal).isEmpty();
    assertThat(atLocal).isEmpty();
  }

  private static String withImage() {
    return request(
        body -> {
          ArrayNode parts = firstMessage(body).putArray("content");
          parts.addObject().put("type", "text").put("text", "what does this say?");
          parts
              .addObject()
              .put("type", "image_url")
              .putObject("image_url")
              .put(
                  "url",
                  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk");
        });
  }

  @Test
  void anImageTheDetectorsCannotReadStaysInTheClusterByDefault() throws Exception {
    HttpResponse<String> r = publicByDefault.post("/v1/chat/completions", withImage());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(atExternal).isEmpty();
    assertThat(atLocal).hasSize(1);
  }

  @Test
  void anImageMayLeaveWhenTheConfigSaysSo() throws Exception {
    try (Sidecar imagesMayLeave =
        sidecar("images", config("public", "unscannableDataClass: public"))) {
      HttpResponse<String> r = imagesMayLeave.post("/v1/chat/completions", withImage());

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(atExternal).hasSize(1);
      assertThat(atLocal).isEmpty();
    }
  }
}
