package io.aihandler.router;

import static io.aihandler.router.HoldAndSpillOverTest.async;
import static io.aihandler.router.HoldAndSpillOverTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.ColdStandIns;
import io.aihandler.router.testing.LogCapture;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * A held or spilt request for a cold backend asks the operator (an HTTPS stand-in trusted through
 * the configured CA only) to activate it, with the pod's token; at most once per minInterval, and
 * an operator that refuses or fails never fails the request.
 */
class WakeOnDemandTest {

  static final String TOKEN = "projected-sa-token-value-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  ColdStandIns.Vllm vllm;
  ColdStandIns.Hosted hosted;
  MockWebServer operator;
  HeldCertificate authority;
  Sidecar sidecar;
  LogCapture logs;

  String config(String state) {
    return HoldAndSpillOverTest.config(
        state,
        vllm.baseUrl(),
        hosted.baseUrl(),
        """
          activation:
            url: "%s"
            tokenPath: "%s"
            minInterval: 1h
            caCertificate: |
        %s"""
            .formatted(
                operator.url("/activations"),
                dir.resolve("token"),
                authority.certificatePem().indent(6).stripTrailing()));
  }

  @BeforeEach
  void start() throws Exception {
    logs = new LogCapture();
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
    Files.writeString(dir.resolve("token"), TOKEN);
    vllm = (ColdStandIns.Vllm) new ColdStandIns.Vllm().start();
    hosted = (ColdStandIns.Hosted) new ColdStandIns.Hosted().start();
    sidecar = Sidecar.start(dir, config("scaled-to-zero"));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    vllm.close();
    hosted.close();
    operator.close();
    logs.close();
  }

  private static MockResponse answer(int status) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("content-type", "application/json")
        .body("{\"modelBackend\":\"ml/llama\",\"state\":\"starting\",\"message\":\"scaling up\"}")
        .build();
  }

  @Test
  void aHeldRequestAsksTheOperatorOnceAndIsServedWhenTheReplicaIsReady() throws Exception {
    operator.enqueue(answer(202));
    CompletableFuture<HttpResponse<String>> held =
        async(
            () ->
                sidecar.post(
                    "/v1/chat/completions", HoldAndSpillOverTest.RESTRICTED.formatted("main")));

    RecordedRequest activation = operator.takeRequest(10, TimeUnit.SECONDS);
    assertThat(activation).isNotNull();
    assertThat(activation.getMethod()).isEqualTo("POST");
    assertThat(activation.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(JSON.readTree(activation.getBody().utf8()).path("modelBackend").asText())
        .isEqualTo("ml/llama");
    // A spilt request meanwhile does not ask again within minInterval.
    assertThat(
            sidecar
                .post("/v1/chat/completions", HoldAndSpillOverTest.INTERNAL.formatted("main"))
                .statusCode())
        .isEqualTo(200);

    vllm.ready.set(true);
    assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(operator.getRequestCount()).isEqualTo(1);
    await(
        "the activation counted",
        () ->
            sidecar
                .metrics()
                .contains(
                    "aihandler_activations_total{backend=\"llama\",result=\"accepted\"} 1.0"));
    assertThat(logs.all()).doesNotContain(TOKEN);
    assertThat(sidecar.metrics()).doesNotContain(TOKEN);
  }

  @Test
  void aSpiltRequestWakesTheBackendToo() throws Exception {
    operator.enqueue(answer(202));
    assertThat(
            sidecar
                .post("/v1/chat/completions", HoldAndSpillOverTest.INTERNAL.formatted("main"))
                .statusCode())
        .isEqualTo(200);
    assertThat(operator.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void aRefusingOperatorDoesNotFailTheHeldRequest() throws Exception {
    operator.enqueue(answer(403));
    CompletableFuture<HttpResponse<String>> held =
        async(
            () ->
                sidecar.post(
                    "/v1/chat/completions", HoldAndSpillOverTest.RESTRICTED.formatted("main")));
    assertThat(operator.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
    await(
        "the refusal counted",
        () ->
            sidecar
                .metrics()
                .contains("aihandler_activations_total{backend=\"llama\",result=\"refused\"} 1.0"));
    assertThat(held).isNotDone();

    vllm.ready.set(true);
    assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(logs.all()).doesNotContain(TOKEN);
  }

  @Test
  void aReadyBackendIsNeverActivated() throws Exception {
    vllm.ready.set(true);
    sidecar.rewriteConfig(config("ready"));
    assertThat(
            sidecar
                .post("/v1/chat/completions", HoldAndSpillOverTest.RESTRICTED.formatted("main"))
                .statusCode())
        .isEqualTo(200);
    Thread.sleep(200);
    assertThat(operator.getRequestCount()).isZero();
  }
}
