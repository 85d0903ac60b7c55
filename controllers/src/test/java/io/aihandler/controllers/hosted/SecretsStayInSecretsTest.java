package io.aihandler.controllers.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.modelbackend.ModelBackendReconciler;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.HostedFixtures;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.workflow.WorkflowReconciler;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole hosted flow, both reconcilers running, with recognisable keys: resolution, verification
 * against a provider that echoes the key in its 401, provisioning, refusal and rotation. Then no
 * key may appear in the captured log output, in any Event, or in any status.
 */
class SecretsStayInSecretsTest {

  private static final String CLAUDE_KEY = "sk-ant-CANARY-claude-7e1f0a92";
  private static final String ROTATED_KEY = "sk-ant-CANARY-rotated-3b8c61d4";
  private static final String OPENAI_KEY = "sk-CANARY-openai-c45d2e17";
  private static final List<String> CANARIES = List.of(CLAUDE_KEY, ROTATED_KEY, OPENAI_KEY);

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private PrintStream originalOut;
  private MockWebServer provider;
  private MockKubernetesApi api;
  private KubernetesClient client;
  private Operator operator;

  @BeforeEach
  void start() throws IOException {
    // slf4j-simple, the test logging backend, writes to whatever System.err is at each call.
    originalErr = System.err;
    originalOut = System.out;
    PrintStream tee =
        new PrintStream(new TeeStream(captured, originalErr), true, StandardCharsets.UTF_8);
    System.setErr(tee);
    System.setOut(
        new PrintStream(new TeeStream(captured, originalOut), true, StandardCharsets.UTF_8));

    provider = new MockWebServer();
    provider.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String anthropicKey = request.getHeaders().get("x-api-key");
            if (anthropicKey != null) {
              return anthropicKey.equals(CLAUDE_KEY) || anthropicKey.equals(ROTATED_KEY)
                  ? new MockResponse.Builder()
                      .code(200)
                      .setHeader("Content-Type", "application/json")
                      .body(
                          "{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5-20250929\",\"display_name\":\"Claude Sonnet 4.5\",\"created_at\":\"2025-09-29T00:00:00Z\"}],\"has_more\":false}")
                      .build()
                  : new MockResponse.Builder()
                      .code(401)
                      .body(
                          "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key "
                              + anthropicKey
                              + "\"}}")
                      .build();
            }
            // OpenAI refuses and, as its real 401 does in part, quotes the key back.
            String bearer = request.getHeaders().get("Authorization");
            return new MockResponse.Builder()
                .code(401)
                .setHeader("Content-Type", "application/json")
                .body(
                    "{\"error\":{\"message\":\"Incorrect API key provided: "
                        + bearer
                        + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}")
                .build();
          }
        });
    provider.start();

    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withStopOnInformerErrorDuringStartup(true)
                    .withCacheSyncTimeout(Duration.ofSeconds(10))
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(2)));
    operator.register(new ModelBackendReconciler());
    operator.register(new WorkflowReconciler());
    operator.start();
  }

  @AfterEach
  void stop() {
    try {
      operator.stop();
      api.close();
      provider.close();
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
    }
  }

  @Test
  void keysAppearOnlyInTheirSecrets() {
    String base = provider.url("/").toString();
    client.resource(HostedFixtures.namespace("llm-platform", Map.of())).create();
    client.resource(HostedFixtures.namespace("support", Map.of("team", "support"))).create();
    client.resource(HostedFixtures.namespace("sales", Map.of())).create();
    client
        .resource(HostedFixtures.sourceSecret("llm-platform", "anthropic-key", CLAUDE_KEY))
        .create();
    client.resource(HostedFixtures.sourceSecret("llm-platform", "openai-key", OPENAI_KEY)).create();
    client
        .resource(
            HostedFixtures.hosted(
                "llm-platform",
                "claude",
                "anthropic",
                "anthropic-key",
                "baseUrl: \""
                    + base
                    + "\"\nshareWith: {namespaceSelector: {matchLabels: {team: support}}}"))
        .create();
    client
        .resource(
            HostedFixtures.hosted(
                "llm-platform",
                "gpt-4o",
                "openai-compatible",
                "openai-key",
                "baseUrl: \"" + base + "v1\"\nshareWith: {namespaces: [support]}"))
        .create();
    client
        .resource(
            HostedFixtures.policy(
                "support", "routing", "llm-platform/claude", "llm-platform/gpt-4o"))
        .create();
    client.resource(HostedFixtures.workflow("support", "ticket-app", "routing")).create();
    client.resource(HostedFixtures.policy("sales", "routing", "llm-platform/claude")).create();
    client.resource(HostedFixtures.workflow("sales", "forecast", "routing")).create();

    Eventually.await(
        "claude valid", Duration.ofSeconds(15), () -> validReason("claude").equals("Valid"));
    Eventually.await(
        "gpt-4o invalid", Duration.ofSeconds(15), () -> validReason("gpt-4o").equals("Invalid"));
    Eventually.await(
        "copy in support",
        () ->
            copyValue("llm-platform.claude").equals(CLAUDE_KEY)
                && copyValue("llm-platform.gpt-4o").equals(OPENAI_KEY));
    Eventually.await(
        "sales refused",
        () -> {
          Workflow forecast =
              client.resources(Workflow.class).inNamespace("sales").withName("forecast").get();
          return forecast.getStatus() != null
              && Conditions.lookup(
                      forecast.getStatus().getConditions(), Conditions.CREDENTIALS_PROVISIONED)
                  .map(c -> c.getReason().equals("NamespaceNotAdmitted"))
                  .orElse(false);
        });

    Secret source = client.secrets().inNamespace("llm-platform").withName("anthropic-key").get();
    source.setData(Map.of("api-key", HostedFixtures.base64(ROTATED_KEY)));
    client.resource(source).update();
    Eventually.await("rotated copy", () -> copyValue("llm-platform.claude").equals(ROTATED_KEY));

    // The capture works: the operator's own lines about these backends are in it.
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs).contains("llm-platform/gpt-4o").contains("ticket-app-credentials");

    StringBuilder published = new StringBuilder();
    client.v1().events().inAnyNamespace().list().getItems().forEach(e -> published.append(json(e)));
    assertThat(client.v1().events().inAnyNamespace().list().getItems()).isNotEmpty();
    client
        .resources(ModelBackend.class)
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(b -> published.append(json(b.getStatus())));
    client
        .resources(Workflow.class)
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(w -> published.append(json(w.getStatus())));
    client
        .resources(RoutingPolicy.class)
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(p -> published.append(json(p)));
    String everythingPublished = published.toString();
    assertThat(everythingPublished).contains("CredentialsValid").contains("NamespaceNotAdmitted");

    for (String canary : CANARIES) {
      String encoded = HostedFixtures.base64(canary);
      assertThat(logs).as("captured logs").doesNotContain(canary).doesNotContain(encoded);
      assertThat(everythingPublished)
          .as("events and statuses")
          .doesNotContain(canary)
          .doesNotContain(encoded);
    }
  }

  private String validReason(String backend) {
    ModelBackend current =
        client.resources(ModelBackend.class).inNamespace("llm-platform").withName(backend).get();
    return current == null || current.getStatus() == null
        ? ""
        : Conditions.lookup(current.getStatus().getConditions(), Conditions.CREDENTIALS_VALID)
            .map(c -> c.getReason())
            .orElse("");
  }

  private String copyValue(String entry) {
    Secret copy = client.secrets().inNamespace("support").withName("ticket-app-credentials").get();
    return copy == null || copy.getData() == null || copy.getData().get(entry) == null
        ? ""
        : HostedFixtures.decoded(copy.getData().get(entry));
  }

  private static String json(Object value) {
    return HostedFixtures.SERIALIZATION.asJson(value);
  }

  /** Writes to two streams: the capture and the console the developer sees. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream first;
    private final java.io.OutputStream second;

    TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
      first.write(bytes, offset, length);
      second.write(bytes, offset, length);
    }
  }
}
