package io.aihandler.router.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.router.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a whole answer is read and charged to the request's memory. */
class UpstreamClientTest {

  private static final UpstreamLimits LIMITS = new UpstreamLimits(64 * 1024, 4096, 16 * 1024);

  MockWebServer server;
  UpstreamClient client;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
    client = new UpstreamClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private UpstreamClient.Response send(io.aihandler.router.runtime.MemoryCharge memory)
      throws Exception {
    return client.send(
        server.url("/v1/chat/completions").uri(),
        Map.of("content-type", "application/json"),
        "{}".getBytes(StandardCharsets.UTF_8),
        Duration.ofSeconds(5),
        LIMITS,
        memory);
  }

  @Test
  void anAnswerOfDeclaredLengthIsChargedWholeAndReadExactly() throws Exception {
    String body = "{\"answer\":\"" + "x".repeat(20_000) + "\"}";
    server.enqueue(new MockResponse.Builder().code(200).body(body).build());
    List<Long> charges = new ArrayList<>();

    UpstreamClient.Response r = send(charges::add);

    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(body);
    assertThat(charges).containsExactly((long) body.length() * UpstreamClient.HEAP_PER_ANSWER_BYTE);
  }

  @Test
  void aChunkedAnswerIsChargedStepByStep() throws Exception {
    String body = "{\"answer\":\"" + "y".repeat(40_000) + "\"}";
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .chunkedBody(new Buffer().writeUtf8(body), 4096)
            .build());
    List<Long> charges = new ArrayList<>();

    UpstreamClient.Response r = send(charges::add);

    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(body);
    assertThat(charges.stream().mapToLong(Long::longValue).sum())
        .isGreaterThanOrEqualTo((long) body.length() * UpstreamClient.HEAP_PER_ANSWER_BYTE);
  }

  @Test
  void aChargeThatDoesNotFitEndsTheCallBeforeTheAnswerIsRead() {
    server.enqueue(new MockResponse.Builder().code(200).body("x".repeat(10_000)).build());

    assertThatThrownBy(
            () ->
                send(
                    bytes -> {
                      throw new ApiException(503, "server_error", "overloaded", "no room");
                    }))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("no room");
  }

  @Test
  void aConnectionIsReusedAfterAnAnswerOfDeclaredLength() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"a\":1}").build());
    server.enqueue(new MockResponse.Builder().code(200).body("{\"a\":2}").build());

    send(io.aihandler.router.runtime.MemoryCharge.NONE);
    send(io.aihandler.router.runtime.MemoryCharge.NONE);

    int first = server.takeRequest().getConnectionIndex();
    int second = server.takeRequest().getConnectionIndex();
    assertThat(second).as("the second call went over the first one's connection").isEqualTo(first);
  }
}
