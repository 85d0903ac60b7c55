package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat completions whose {@code model} names a task get the task's prompts (rendered from the
 * request's {@code variables}), parameters, schema and data class.
 */
class ChatTaskRequestTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String VALID = "{\"category\":\"billing\"}";

  @TempDir Path dir;
  MockWebServer local;
  MockWebServer cloud;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    local = new MockWebServer();
    local.start();
    cloud = new MockWebServer();
    cloud.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: cloud, provider: openai-compatible, baseUrl: "%s", model: gpt-4o, locality: external}
              - {name: local, provider: vllm, baseUrl: "%s", model: llama-3.3-70b}
            routes:
              - {name: mixed, targets: [{backend: cloud, priority: 0}, {backend: local, priority: 1}]}
            dataClasses:
              - {name: restricted, allowedLocalities: [in-cluster]}
            tasks:
              - name: classify
                route: mixed
                dataClass: restricted
                prompt:
                  system: "You classify tickets for the {{team}} team."
                  user: "Ticket: {{ticket}}"
                variables:
                  - {name: ticket}
                  - {name: team, required: false}
                output:
                  schema: {type: object, required: [category], properties: {category: {type: string}}}
                parameters: {temperature: 0, maxTokens: 50}
            """
                .formatted(cloud.url("/v1"), local.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    local.close();
    cloud.close();
  }

  private JsonNode sentUpstream() throws Exception {
    return MAPPER.readTree(local.takeRequest().getBody().utf8());
  }

  @Test
  void variablesFillTheTemplatesAndTheTaskBringsItsParametersSchemaAndDataClass() throws Exception {
    local.enqueue(ok(vllmCompletion(VALID, "stop")));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            """
            {"model": "classify", "messages": [],
             "variables": {"ticket": "I was charged twice", "team": "billing"}}""");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(
            MAPPER
                .readTree(r.body())
                .path("choices")
                .path(0)
                .path("message")
                .path("content")
                .asText())
        .isEqualTo(VALID);
    assertThat(cloud.getRequestCount())
        .as("the task's restricted class keeps it in the cluster")
        .isZero();
    JsonNode up = sentUpstream();
    assertThat(up.has("variables")).as("variables are the router's, not the provider's").isFalse();
    assertThat(up.path("messages")).hasSize(2);
    assertThat(up.path("messages").path(0).path("role").asText()).isEqualTo("system");
    assertThat(up.path("messages").path(0).path("content").asText())
        .isEqualTo("You classify tickets for the billing team.");
    assertThat(up.path("messages").path(1).path("content").asText())
        .isEqualTo("Ticket: I was charged twice");
    assertThat(up.path("temperature").asDouble(-1)).isEqualTo(0.0);
    assertThat(up.path("max_tokens").asInt()).isEqualTo(50);
    assertThat(up.path("structured_outputs").path("json").path("required").path(0).asText())
        .isEqualTo("category");
  }

  @Test
  void theClientsOwnSystemMessageAndEarlierTurnsComeFirstAndTheTemplatedTurnLast()
      throws Exception {
    local.enqueue(ok(vllmCompletion(VALID, "stop")));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            """
            {"model": "classify", "temperature": 0.7,
             "messages": [{"role": "system", "content": "Be strict."},
                          {"role": "user", "content": "Ticket: app crashes"},
                          {"role": "assistant", "content": "{\\"category\\":\\"bug\\"}"}],
             "variables": {"ticket": "refund please"}}""");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode up = sentUpstream();
    assertThat(up.path("messages").findValuesAsText("content"))
        .containsExactly(
            "Be strict.", "Ticket: app crashes", "{\"category\":\"bug\"}", "Ticket: refund please");
    assertThat(up.path("temperature").asDouble()).as("the request's own value wins").isEqualTo(0.7);
  }

  @Test
  void aTaskWhoseTemplatesNeedVariablesAnswers400NamingThem() throws Exception {
    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"classify\",\"messages\":[{\"role\":\"user\",\"content\":\"charged twice\"}]}");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = MAPPER.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("missing_required_parameter");
    assertThat(error.path("param").asText()).isEqualTo("variables");
    assertThat(error.path("message").asText()).contains("[ticket]").contains("'variables'");
    assertThat(local.getRequestCount() + cloud.getRequestCount()).isZero();
  }

  @Test
  void unknownVariablesAndVariablesForAModelThatIsNotATaskAreRefused() throws Exception {
    HttpResponse<String> unknown =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"classify\",\"messages\":[],\"variables\":{\"ticket\":\"x\",\"tiket\":\"y\"}}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(unknown.body()).path("error").path("code").asText())
        .isEqualTo("unknown_variable");

    HttpResponse<String> notATask =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"variables\":{\"a\":1}}");
    assertThat(notATask.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(notATask.body()).path("error").path("param").asText())
        .isEqualTo("variables");

    HttpResponse<String> notAnObject =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"classify\",\"messages\":[],\"variables\":[\"x\"]}");
    assertThat(notAnObject.statusCode()).isEqualTo(400);
    assertThat(local.getRequestCount() + cloud.getRequestCount()).isZero();
  }

  @Test
  void theOpenAiSdkSendsVariablesAsAnAdditionalBodyProperty() throws Exception {
    local.enqueue(ok(vllmCompletion(VALID, "stop")));
    OpenAIClient client =
        OpenAIOkHttpClient.builder()
            .baseUrl(sidecar.baseUrl() + "/v1")
            .apiKey("unused")
            .maxRetries(0)
            .build();

    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model("classify")
                    .messages(List.of())
                    .putAdditionalBodyProperty(
                        "variables", JsonValue.from(Map.of("ticket", "charged twice")))
                    .build());

    assertThat(c.choices().getFirst().message().content()).contains(VALID);
    assertThat(sentUpstream().path("messages").path(1).path("content").asText())
        .isEqualTo("Ticket: charged twice");

    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("classify")
                            .addUserMessage("no variables")
                            .build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("[ticket]");
  }
}
