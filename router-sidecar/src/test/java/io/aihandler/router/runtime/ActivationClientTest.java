package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Activation;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The activation call against an HTTPS stand-in of the operator: the bearer token read from its
 * file on each call, the configured CA as the only trust, one call per backend per minInterval,
 * every result counted, and the token in no log line or metric.
 */
class ActivationClientTest {

  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl";

  @TempDir Path dir;
  HeldCertificate authority;
  MockWebServer operator;
  final RouterMetrics metrics = new RouterMetrics();
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  ActivationClient client;
  Path token;
  LogCapture logs;

  @BeforeEach
  void start() throws Exception {
    authority = new HeldCertificate.Builder().certificateAuthority(0).commonName("op CA").build();
    HeldCertificate serving =
        new HeldCertificate.Builder()
            .signedBy(authority)
            .addSubjectAlternativeName("localhost")
            .build();
    operator = new MockWebServer();
    operator.useHttps(
        new HandshakeCertificates.Builder().heldCertificate(serving).build().sslSocketFactory());
    operator.start();
    token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    client = new ActivationClient(metrics, now::get, Duration.ofSeconds(2), Duration.ofSeconds(5));
    logs = new LogCapture();
  }

  @AfterEach
  void stop() {
    logs.close();
    client.close();
    operator.close();
  }

  private Activation settings() {
    return new Activation(
        operator.url("/activations").toString(),
        token.toString(),
        authority.certificatePem(),
        "10s");
  }

  private static MockResponse answer(int status, String state) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("content-type", "application/json")
        .body("{\"modelBackend\":\"ml/llama\",\"state\":\"" + state + "\",\"message\":\"ok\"}")
        .build();
  }

  @Test
  void postsTheBackendWithTheTokenAsBearerOverTlsTrustingTheConfiguredCa() throws Exception {
    operator.enqueue(answer(202, "starting"));

    assertThat(client.activate("llama", "ml/llama", settings()))
        .isEqualTo(ActivationClient.Result.ACCEPTED);

    RecordedRequest r = operator.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/activations");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(r.getBody().utf8()).isEqualTo("{\"modelBackend\":\"ml/llama\"}");
    assertThat(metrics.scrape())
        .contains("aihandler_activations_total{backend=\"llama\",result=\"accepted\"} 1.0");
  }

  @Test
  void oneBackendIsAskedAtMostOncePerMinIntervalAndTheTokenIsReadAgainEachTime() throws Exception {
    operator.enqueue(answer(202, "starting"));
    operator.enqueue(answer(200, "ready"));
    operator.enqueue(answer(202, "starting"));

    assertThat(client.due("llama", Duration.ofSeconds(10))).isTrue();
    assertThat(client.activate("llama", "ml/llama", settings())).isNotNull();
    now.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(client.due("llama", Duration.ofSeconds(10))).isFalse();
    assertThat(client.activate("llama", "ml/llama", settings())).as("within 10s").isNull();
    // Another backend has its own turn.
    assertThat(client.activate("qwen", "ml/qwen", settings()))
        .isEqualTo(ActivationClient.Result.READY);
    Files.writeString(token, "rotated-token-value");
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(client.activate("llama", "ml/llama", settings()))
        .isEqualTo(ActivationClient.Result.ACCEPTED);

    assertThat(operator.getRequestCount()).isEqualTo(3);
    operator.takeRequest();
    operator.takeRequest();
    assertThat(operator.takeRequest().getHeaders().get("Authorization"))
        .isEqualTo("Bearer rotated-token-value");
  }

  @Test
  void anOperatorSignedByAnotherCaIsNotTrusted() throws Exception {
    HeldCertificate otherCa =
        new HeldCertificate.Builder().certificateAuthority(0).commonName("other").build();
    Activation wrongCa =
        new Activation(
            operator.url("/activations").toString(),
            token.toString(),
            otherCa.certificatePem(),
            "10s");

    assertThat(client.activate("llama", "ml/llama", wrongCa))
        .isEqualTo(ActivationClient.Result.ERROR);
    assertThat(operator.getRequestCount()).isZero();
    assertThat(metrics.scrape())
        .contains("aihandler_activations_total{backend=\"llama\",result=\"error\"} 1.0");
  }

  @Test
  void theSystemsTrustedRootsAreNotTrustedEither() throws Exception {
    // A CA PEM that is not a certificate at all: no call is made rather than one on default trust.
    Activation broken =
        new Activation(
            operator.url("/activations").toString(), token.toString(), "not a pem", "10s");
    assertThat(client.activate("llama", "ml/llama", broken))
        .isEqualTo(ActivationClient.Result.ERROR);
    assertThat(operator.getRequestCount()).isZero();
  }

  @Test
  void everyAnswerIsCountedByItsResult() {
    int[] statuses = {200, 429, 401, 403, 404, 400, 503};
    for (int s : statuses) {
      operator.enqueue(answer(s, "x"));
    }
    for (int i = 0; i < statuses.length; i++) {
      client.activate("b" + i, "ml/b" + i, settings());
    }
    assertThat(metrics.scrape())
        .contains("aihandler_activations_total{backend=\"b0\",result=\"ready\"} 1.0")
        .contains("aihandler_activations_total{backend=\"b1\",result=\"rate_limited\"} 1.0")
        .contains("aihandler_activations_total{backend=\"b2\",result=\"refused\"} 1.0")
        .contains("aihandler_activations_total{backend=\"b3\",result=\"refused\"} 1.0")
        .contains("aihandler_activations_total{backend=\"b4\",result=\"refused\"} 1.0")
        .contains("aihandler_activations_total{backend=\"b5\",result=\"refused\"} 1.0")
        .contains("aihandler_activations_total{backend=\"b6\",result=\"error\"} 1.0");
  }

  @Test
  void aMissingOrOversizedTokenMakesNoCall() throws Exception {
    Files.delete(token);
    assertThat(client.activate("llama", "ml/llama", settings()))
        .isEqualTo(ActivationClient.Result.ERROR);
    Files.writeString(token, "x".repeat(ActivationClient.MAX_TOKEN_BYTES + 1));
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(client.activate("llama", "ml/llama", settings()))
        .isEqualTo(ActivationClient.Result.ERROR);
    assertThat(operator.getRequestCount()).isZero();
  }

  @Test
  void anOperatorThatDoesNotAnswerInTimeIsATimeoutNotAHang() throws Exception {
    ActivationClient quick =
        new ActivationClient(metrics, now::get, Duration.ofSeconds(1), Duration.ofMillis(300));
    operator.enqueue(
        new MockResponse.Builder().code(202).headersDelay(5, TimeUnit.SECONDS).build());
    long started = System.nanoTime();
    assertThat(quick.activate("llama", "ml/llama", settings()))
        .isEqualTo(ActivationClient.Result.TIMEOUT);
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(4));
    quick.close();
  }

  @Test
  void anAnswerDribbledAByteAtATimeIsCutOffAtTheDeadlineAndCounted() throws Exception {
    // 300 ms for the head, 1 s to connect: 1.3 s for the whole call. Every byte of the body comes
    // well within either, the whole body (60 bytes at one per 100 ms) would take 6 s.
    ActivationClient quick =
        new ActivationClient(metrics, now::get, Duration.ofSeconds(1), Duration.ofMillis(300));
    operator.enqueue(
        new MockResponse.Builder()
            .code(202)
            .body("{\"modelBackend\":\"ml/llama\",\"state\":\"starting\",\"message\":\"ok\"}")
            .throttleBody(1, 100, TimeUnit.MILLISECONDS)
            .build());
    long started = System.nanoTime();

    assertThat(quick.activate("llama", "ml/llama", settings()))
        .isEqualTo(ActivationClient.Result.TIMEOUT);

    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(2500));
    assertThat(metrics.scrape())
        .contains("aihandler_activations_total{backend=\"llama\",result=\"timeout\"} 1.0");
    assertThat(logs.all()).contains("activation of backend llama (ml/llama) failed");
    quick.close();
  }

  @Test
  void anAnswerLongerThanTheBoundIsAnError() throws Exception {
    operator.enqueue(
        new MockResponse.Builder()
            .code(202)
            .body("x".repeat(ActivationClient.MAX_ANSWER_BYTES + 1))
            .build());

    assertThat(client.activate("llama", "ml/llama", settings()))
        .isEqualTo(ActivationClient.Result.ERROR);
    assertThat(metrics.scrape())
        .contains("aihandler_activations_total{backend=\"llama\",result=\"error\"} 1.0");
    assertThat(logs.all()).contains("longer than " + ActivationClient.MAX_ANSWER_BYTES + " bytes");
  }

  @Test
  void theWholeCallsDeadlineIsTheConnectAndRequestTimeoutsEndToEnd() {
    assertThat(ActivationClient.DEADLINE).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void theTokenIsInNoLogLineAndNoMetric() throws Exception {
    operator.enqueue(answer(401, "unauthenticated"));
    operator.enqueue(
        new MockResponse.Builder().code(403).body("{\"message\":\"forbidden\"}").build());
    client.activate("llama", "ml/llama", settings());
    client.activate("qwen", "ml/qwen", settings());
    Files.delete(token);
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    client.activate("llama", "ml/llama", settings());

    assertThat(logs.lines()).isNotEmpty();
    assertThat(logs.all()).doesNotContain(TOKEN).doesNotContain("c2VjcmV0LXRva2Vu");
    assertThat(metrics.scrape()).doesNotContain(TOKEN).doesNotContain("c2VjcmV0LXRva2Vu");
  }
}
