package io.aihandler.controllers.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.HostedSpec;
import io.aihandler.controllers.hosted.VerificationResult.Outcome;
import io.aihandler.controllers.testing.ModelBackends;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The key check against MockWebServer playing each provider, with the providers' real shapes. */
class CredentialVerifierTest {

  private static final String KEY = "sk-verifier-7d3a90c1e5b2";

  private final MockWebServer server = new MockWebServer();
  private final CredentialVerifier verifier = new CredentialVerifier(Duration.ofMillis(500));

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A provider, the path its models list is at, and the header carrying the key. */
  record Provider(
      String name,
      String expectedPath,
      String keyHeader,
      String keyValue,
      String modelsBody,
      int invalidStatus,
      String invalidBody) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Provider> providers() {
    return Stream.of(
        new Provider(
            "openai",
            "/v1/models",
            "Authorization",
            "Bearer " + KEY,
            """
            {"object":"list","data":[{"id":"gpt-4o","object":"model","created":1715367049,"owned_by":"system"}]}""",
            401,
            """
            {"error":{"message":"Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"""
                .formatted(KEY)),
        new Provider(
            "anthropic",
            "/v1/models",
            "x-api-key",
            KEY,
            """
            {"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-sonnet-4-5-20250929"}""",
            401,
            """
            {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"""),
        new Provider(
            "gemini",
            "/v1beta/models",
            "x-goog-api-key",
            KEY,
            """
            {"models":[{"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens"]}],"nextPageToken":"Chltb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA=="}""",
            400,
            """
            {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}"""),
        new Provider(
            "azure-openai",
            "/openai/models?api-version=2024-10-21",
            "api-key",
            KEY,
            """
            {"data":[{"status":"succeeded","capabilities":{"fine_tune":false,"inference":true,"completion":false,"chat_completion":true,"embeddings":false},"lifecycle_status":"generally-available","id":"gpt-4o-2024-08-06","created_at":1722902400,"object":"model"}],"object":"list"}""",
            401,
            """
            {"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}"""),
        new Provider(
            "openai-compatible",
            "/v1/models",
            "Authorization",
            "Bearer " + KEY,
            """
            {"object":"list","data":[{"id":"llama-3.3-70b","object":"model","created":1735689600,"owned_by":"vllm","root":"meta-llama/Llama-3.3-70B-Instruct","max_model_len":32768}]}""",
            401,
            """
            {"error":"Unauthorized"}"""));
  }

  /** The backend's spec, pointing at the test server the way each provider's URL is configured. */
  private HostedSpec spec(String provider) {
    String base = server.url("/").toString();
    String baseUrl =
        switch (provider) {
          case "azure-openai" -> base;
          case "openai-compatible" -> base + "v1";
          default -> null; // public default, replaced through ProviderEndpoints below
        };
    return ModelBackends.fromYaml(
            """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata: {name: b, namespace: llm}
        spec:
          hosted:
            provider: %s
            model: m
            %s
            credentials: {secretRef: {name: s, key: api-key}}
        """
                .formatted(provider, baseUrl == null ? "" : "baseUrl: \"" + baseUrl + "\""))
        .getSpec()
        .hosted();
  }

  private ProviderProbe probe(String provider) {
    return ProviderProbe.of(
        spec(provider), ApiKey.of(KEY), ProviderEndpoints.allAt(server.url("/").toString()));
  }

  @ParameterizedTest
  @MethodSource("providers")
  void acceptedKeyIsValidAndSentTheProvidersWay(Provider provider) throws InterruptedException {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .body(provider.modelsBody())
            .build());

    VerificationResult result = verifier.verify(probe(provider.name()));

    assertThat(result.outcome()).isEqualTo(Outcome.VALID);
    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getTarget()).isEqualTo(provider.expectedPath());
    assertThat(request.getHeaders().get(provider.keyHeader())).isEqualTo(provider.keyValue());
    assertThat(request.getUrl().toString()).doesNotContain(KEY);
    if (provider.name().equals("anthropic")) {
      assertThat(request.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusedKeyIsInvalidAndTheBodyIsNeverQuoted(Provider provider) {
    server.enqueue(
        new MockResponse.Builder()
            .code(provider.invalidStatus())
            .setHeader("Content-Type", "application/json")
            .body(provider.invalidBody())
            .build());

    VerificationResult result = verifier.verify(probe(provider.name()));

    assertThat(result.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(result.httpStatus()).isEqualTo(provider.invalidStatus());
    assertThat(result.detail())
        .contains("refused the key")
        .doesNotContain(KEY)
        .doesNotContain("Incorrect API key");
    assertThat(result.toString()).doesNotContain(KEY);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void noAnswerInTimeIsUnreachableNotInvalid(Provider provider) {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .headersDelay(2, TimeUnit.SECONDS)
            .body(provider.modelsBody())
            .build());

    VerificationResult result = verifier.verify(probe(provider.name()));

    assertThat(result.outcome()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(result.detail()).contains("no answer within 500ms");
  }

  @Test
  void forbiddenIsInvalid() {
    server.enqueue(
        new MockResponse.Builder()
            .code(403)
            .body("{\"error\":{\"type\":\"permission_error\",\"message\":\"forbidden\"}}")
            .build());
    assertThat(verifier.verify(probe("anthropic")).outcome()).isEqualTo(Outcome.INVALID);
  }

  @Test
  void serverErrorIsUnreachable() {
    server.enqueue(
        new MockResponse.Builder()
            .code(529)
            .body(
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")
            .build());
    VerificationResult result = verifier.verify(probe("anthropic"));
    assertThat(result.outcome()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(result.httpStatus()).isEqualTo(529);
  }

  @Test
  void rateLimitKeepsTheProvidersRetryAfter() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .setHeader("Retry-After", "120")
            .body(
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")
            .build());
    VerificationResult result = verifier.verify(probe("openai"));
    assertThat(result.outcome()).isEqualTo(Outcome.RATE_LIMITED);
    assertThat(result.retryAfter()).contains(Duration.ofSeconds(120));
  }

  @Test
  void otherClientErrorsPointAtTheConfiguration() {
    server.enqueue(
        new MockResponse.Builder()
            .code(404)
            .body("{\"error\":{\"message\":\"not found\"}}")
            .build());
    VerificationResult result = verifier.verify(probe("openai-compatible"));
    assertThat(result.outcome()).isEqualTo(Outcome.UNEXPECTED_RESPONSE);
    assertThat(result.detail()).contains("HTTP 404").contains("baseUrl");
  }

  @Test
  void refusedConnectionIsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ProviderProbe probe =
        ProviderProbe.of(
            spec("openai"),
            ApiKey.of(KEY),
            ProviderEndpoints.allAt("http://127.0.0.1:" + closedPort));
    VerificationResult result = verifier.verify(probe);
    assertThat(result.outcome()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(result.detail()).doesNotContain(KEY);
  }

  @Test
  void publicDefaultsAreTheProvidersRealEndpoints() {
    ApiKey key = ApiKey.of(KEY);
    assertThat(ProviderProbe.of(spec("openai"), key, ProviderEndpoints.PUBLIC).uri())
        .hasToString("https://api.openai.com/v1/models");
    assertThat(ProviderProbe.of(spec("anthropic"), key, ProviderEndpoints.PUBLIC).uri())
        .hasToString("https://api.anthropic.com/v1/models");
    assertThat(ProviderProbe.of(spec("gemini"), key, ProviderEndpoints.PUBLIC).uri())
        .hasToString("https://generativelanguage.googleapis.com/v1beta/models");
    assertThat(ProviderProbe.of(spec("gemini"), key, ProviderEndpoints.PUBLIC).toString())
        .doesNotContain(KEY);
  }
}
