package io.aihandler.router;

import static io.aihandler.router.HoldAndSpillOverTest.RESTRICTED;
import static io.aihandler.router.HoldAndSpillOverTest.SECRET;
import static io.aihandler.router.HoldAndSpillOverTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.ColdStandIns;
import io.aihandler.router.testing.LogCapture;
import io.aihandler.router.testing.Sidecar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients of held requests over their own connections, through a real sidecar: one that leaves
 * while held, streaming or not, frees its place at once, long before its hold would run out, is
 * counted {@code client_closed} and is never sent upstream; one that stays is served however long
 * it waits; and what a pipelining client sends while held is not lost.
 */
class HeldClientsTest {

  @TempDir Path dir;
  ColdStandIns.Vllm vllm;
  ColdStandIns.Hosted hosted;
  Sidecar sidecar;
  LogCapture logs;

  String config(String state) {
    return config(state, "30s");
  }

  String config(String state, String idleTimeout) {
    return """
        sidecar:
          maxHeldRequests: 2
          holdKeepAliveInterval: 30s
          idleTimeout: %s
        backends:
          - {name: llama, provider: vllm, baseUrl: "%s", model: llama,
             capacity: {state: %s, modelBackend: ml/llama}}
          - {name: gpt, provider: openai-compatible, baseUrl: "%s", model: gpt-4o,
             locality: external}
        dataClasses:
          - name: restricted
            allowedLocalities: [in-cluster]
            detectors: [{type: email}]
          - name: internal
            allowedLocalities: [in-cluster, external]
        defaultDataClass: internal
        routes:
          - name: main
            targets: [{backend: llama, priority: 0}, {backend: gpt, priority: 1}]
            coldStartTimeout: 60s
        """
        .formatted(idleTimeout, vllm.baseUrl(), state, hosted.baseUrl());
  }

  @BeforeEach
  void start() throws Exception {
    logs = new LogCapture();
    vllm = (ColdStandIns.Vllm) new ColdStandIns.Vllm().start();
    hosted = (ColdStandIns.Hosted) new ColdStandIns.Hosted().start();
    sidecar = Sidecar.start(dir, config("scaled-to-zero"));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    vllm.close();
    hosted.close();
    logs.close();
    // Neither a client that left nor the watch of one that stayed troubles the server.
    assertThat(logs.all())
        .doesNotContain("Internal server error")
        .doesNotContain("socket monitor")
        .doesNotContain("A route MUST");
  }

  private static byte[] post(String body) {
    byte[] json = body.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + json.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + json.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(json, 0, all, head.length, json.length);
    return all;
  }

  private Socket send(byte[] request) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.main.port());
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    out.write(request);
    out.flush();
    return s;
  }

  private boolean metric(String line) throws Exception {
    return sidecar.metrics().lines().anyMatch(l -> l.startsWith(line));
  }

  private void awaitHeld(int n) throws Exception {
    await(n + " held", () -> metric("aihandler_held_requests{backend=\"llama\"} " + n + ".0"));
  }

  @Test
  void heldClientsThatLeaveFreeTheirPlacesAtOnceAndAreNeverSent() throws Exception {
    List<Socket> ghosts = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ghosts.add(send(post(RESTRICTED.formatted("main"))));
    }
    awaitHeld(2);

    long left = System.nanoTime();
    ghosts.get(0).close();
    ghosts.get(1).setSoLinger(true, 0); // the other resets its connection
    ghosts.get(1).close();
    awaitHeld(0);
    assertThat(System.nanoTime() - left)
        .as("freed long before the 60 s hold would run out")
        .isLessThan(TimeUnit.SECONDS.toNanos(3));
    await(
        "both counted cancelled",
        () -> metric("aihandler_holds_total{backend=\"llama\",outcome=\"cancelled\"} 2.0"));
    await(
        "both counted client_closed",
        () ->
            sidecar
                .metrics()
                .lines()
                .anyMatch(
                    l ->
                        l.startsWith("aihandler_requests_total{")
                            && l.contains("outcome=\"client_closed\"")
                            && l.endsWith(" 2.0")));

    // The places are free: a client that retries is held, not refused, and served once ready.
    try (Socket retry = send(post(RESTRICTED.formatted("main")))) {
      awaitHeld(1);
      vllm.servingOnly.set(true);
      sidecar.rewriteConfig(config("ready"));
      String answer = readResponse(retry.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 200").contains("from llama");
    }
    assertThat(vllm.received(SECRET)).as("only the retry reached the backend").isEqualTo(1);
    assertThat(hosted.received(SECRET)).isZero();
  }

  @Test
  void aHeldStreamWhoseClientLeavesBeforeItsFirstKeepAliveFreesItsPlaceAtOnce() throws Exception {
    Socket s = send(post(HeldStreamsTest.STREAM.formatted("main")));
    awaitHeld(1);
    long left = System.nanoTime();
    s.close();
    awaitHeld(0);
    assertThat(System.nanoTime() - left)
        .as("not at the keep-alive 30 s on")
        .isLessThan(TimeUnit.SECONDS.toNanos(3));
    vllm.servingOnly.set(true);
    sidecar.rewriteConfig(config("ready"));
    Thread.sleep(200);
    assertThat(vllm.bodies).isEmpty();
  }

  @Test
  void aClientThatStaysIsServedThoughItWaitedLongerThanTheIdleTimeout() throws Exception {
    sidecar.close();
    sidecar = Sidecar.start(dir, config("scaled-to-zero", "1s"));
    try (Socket s = send(post(RESTRICTED.formatted("main")))) {
      awaitHeld(1);
      Thread.sleep(2500); // the socket's read timeout is 1 s
      assertThat(metric("aihandler_held_requests{backend=\"llama\"} 1.0")).isTrue();
      vllm.servingOnly.set(true);
      sidecar.rewriteConfig(config("ready", "1s"));
      assertThat(readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 200")
          .contains("from llama");
    }
  }

  @Test
  void aPipelinedRequestSentWhileTheFirstIsHeldIsAnsweredAfterIt() throws Exception {
    try (Socket s = send(post(RESTRICTED.formatted("main")))) {
      awaitHeld(1);
      Thread.sleep(300); // the watch reads what comes now
      OutputStream out = s.getOutputStream();
      out.write(post(HoldAndSpillOverTest.INTERNAL.formatted("main")));
      out.flush();
      Thread.sleep(300);
      assertThat(metric("aihandler_held_requests{backend=\"llama\"} 1.0"))
          .as("a client that sends more is still there")
          .isTrue();

      vllm.servingOnly.set(true);
      sidecar.rewriteConfig(config("ready"));
      InputStream in = s.getInputStream();
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("from llama");
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("from llama");
    }
    assertThat(vllm.bodies).hasSize(2);
    assertThat(vllm.bodies.get(1)).contains("summarise the plan");
  }

  /** One response with a Content-Length body, read off the connection. */
  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b;
      try {
        b = in.read();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no response head; so far: " + head, e);
      }
      if (b < 0) {
        throw new AssertionError("the connection closed; so far: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
