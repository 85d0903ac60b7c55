package io.aihandler.router.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.server.HeapPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an idle keep-alive connection really holds, against what the heap plan charges for it
 * ({@link HeapPlan#PER_CONNECTION}): a sidecar process with the launcher's flags, connections that
 * each served one chat completion or one stream and then wait, and the live heap before and after
 * they opened ({@code jcmd GC.class_histogram}, which collects first).
 */
class IdleConnectionHeapTest {

  private static final int EACH = 200;
  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

  @TempDir Path dir;
  RecordingBackend inside;
  RecordingBackend outside;
  SidecarProcess sidecar;

  @BeforeEach
  void start() throws Exception {
    inside = RecordingBackend.inCluster();
    outside = RecordingBackend.external();
    Path config = dir.resolve("router.yaml");
    Files.writeString(
        config,
        new RouterYaml(inside.baseUrl(), outside.baseUrl())
            .sidecar("maxConnections: " + (2 * EACH + 100))
            .toString());
    // 500 connections' share and the largest request need about 41 MiB of heap; later flags win.
    sidecar = SidecarProcess.startWith(config, List.of("-Xmx48m"));
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    inside.close();
    outside.close();
  }

  @Test
  void anIdleConnectionHoldsNoMoreThanThePlanCharges() throws Exception {
    String chat = Chat.oneMessage("main", "hello");
    String stream = Chat.streaming("main", "hello");
    try (Http http = new Http()) {
      // The request path compiled as in a sidecar that has been serving: frame sizes depend on it.
      for (int i = 0; i < 300; i++) {
        assertThat(http.chat(sidecar.port(), "main", "warm up").status()).isEqualTo(200);
        assertThat(http.post(sidecar.port(), "/v1/chat/completions", stream).status())
            .isEqualTo(200);
      }
    }
    long before = liveHeap();
    try (ConnectionFlood chats = ConnectionFlood.afterRequest(sidecar.port(), EACH, post(chat));
        ConnectionFlood streams =
            ConnectionFlood.afterRequest(sidecar.port(), EACH, post(stream))) {
      assertThat(chats.awaitAnswers(Duration.ofSeconds(30))).isEqualTo(EACH);
      assertThat(streams.awaitAnswers(Duration.ofSeconds(30))).isEqualTo(EACH);
      Thread.sleep(1_000); // the streams' last events written, every connection back to its read
      long perConnection = (liveHeap() - before) / (2 * EACH);
      assertThat(chats.closedByServer() + streams.closedByServer()).isZero();
      assertThat(perConnection)
          .as("live heap per idle connection, against HeapPlan.PER_CONNECTION")
          .isLessThanOrEqualTo(HeapPlan.PER_CONNECTION)
          // A charge far above what connections hold wastes the heap the plan divides.
          .isGreaterThan(HeapPlan.PER_CONNECTION / 2);
    }
  }

  private static String post(String body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  /** Bytes of live objects: the class histogram's total, taken after a full collection. */
  private long liveHeap() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), String.valueOf(sidecar.pid()), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher m = TOTAL.matcher(out);
    assertThat(m.find()).as("jcmd GC.class_histogram printed a total:\n" + out).isTrue();
    return Long.parseLong(m.group(1));
  }
}
