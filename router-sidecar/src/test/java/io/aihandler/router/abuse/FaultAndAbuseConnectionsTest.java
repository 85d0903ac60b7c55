package io.aihandler.router.abuse;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Connection floods and slow clients: the sidecar keeps serving both ports, closes what it must
 * within {@code sidecar.headerReadTimeout} / {@code bodyReadTimeout}, and stops promptly.
 */
class FaultAndAbuseConnectionsTest extends FaultAndAbuseBase {

  private static final Duration HEADER_READ = Duration.ofSeconds(2);
  private static final Duration BODY_READ = Duration.ofSeconds(2);
  private static final Duration GRACE = Duration.ofSeconds(3);
  private static final Duration MARGIN = Duration.ofSeconds(3);
  private static final Duration IDLE = Duration.ofSeconds(2);

  /**
   * Past maxConnections (128) silent connections wait in the backlog; each round of 128 is closed
   * after headerReadTimeout, so 1,250 drain in ten rounds.
   */
  private static final Duration DRAIN = HEADER_READ.plusMillis(500).multipliedBy(11).plus(MARGIN);

  @Override
  protected RouterYaml config() {
    return standard()
        .sidecar("headerReadTimeout: " + HEADER_READ.toSeconds() + "s")
        .sidecar("bodyReadTimeout: " + BODY_READ.toSeconds() + "s")
        // Past maxConnections, new connections wait in the backlog until idle ones are closed:
        // a short idle timeout lets the probe see a flood of idle connections drain.
        .sidecar("idleTimeout: " + IDLE.toSeconds() + "s");
  }

  @Test
  void thousandIdleKeepAliveConnections_normalRequestsOnBothPortsSucceed() throws Exception {
    try (ConnectionFlood idle = ConnectionFlood.keepAlive(sidecar.port(), 1_000, "/healthz")) {
      idle.awaitAnswers(Duration.ofSeconds(15));
      bothPortsServe("with " + idle);
    }
  }

  @Test
  void thousandIdleKeepAliveConnections_sigtermExitsWithinGrace() throws Exception {
    try (SidecarProcess own = SidecarProcess.start(configFile);
        ConnectionFlood idle = ConnectionFlood.keepAlive(own.port(), 1_000, "/healthz")) {
      idle.awaitAnswers(Duration.ofSeconds(15));
      expectAlive(own, "with " + idle);
      Optional<Duration> exited = own.terminate(GRACE.plus(MARGIN));
      expect(
          exited.isPresent(),
          "SIGTERM with " + idle + ": still running after shutdownGrace " + GRACE + " + " + MARGIN);
    }
  }

  @Test
  void silentConnections_portsAnswer_andTheyAreClosedAfterHeaderReadTimeout() throws Exception {
    try (ConnectionFlood silent = ConnectionFlood.silent(sidecar.port(), 1_250)) {
      long opened = System.nanoTime();
      Http.Response mgmt = Http.fresh().get(sidecar.managementPort(), "/healthz");
      expect(mgmt.status() == 200, "with " + silent + " the management port answered " + mgmt);
      Http.Response[] api = new Http.Response[1];
      boolean served =
          Poll.until(
              DRAIN,
              () -> {
                try {
                  api[0] = Http.fresh().chat(sidecar.port(), "main", "hello");
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                return api[0].status() == 200;
              });
      expect(served, "with " + silent + " a new API connection got " + api[0]);
      int closed = silent.awaitClosedByServer(DRAIN.minusNanos(System.nanoTime() - opened));
      expect(
          closed == silent.opened(),
          "within "
              + DRAIN
              + " (rounds of maxConnections, each closed after headerReadTimeout "
              + HEADER_READ
              + "): "
              + silent);
    }
  }

  @Test
  void silentConnections_sigtermExitsPromptly() throws Exception {
    try (SidecarProcess own = SidecarProcess.start(configFile);
        ConnectionFlood silent = ConnectionFlood.silent(own.port(), 1_250)) {
      Http.Response mgmt = Http.fresh().get(own.managementPort(), "/healthz");
      expectAlive(own, "with " + silent + " (management port: " + mgmt + ")");
      Optional<Duration> exited = own.terminate(GRACE.plus(MARGIN));
      expect(
          exited.isPresent(),
          "SIGTERM with "
              + silent
              + ": still running after shutdownGrace "
              + GRACE
              + " + "
              + MARGIN);
    }
  }

  @Test
  void slowloris_headersOneBytePer500ms_areCutWithinHeaderReadTimeout() throws Exception {
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            + "a".repeat(200)
            + "\r\n\r\n";
    try (RawClient c = RawClient.connect(sidecar.port())) {
      AtomicBoolean stop = new AtomicBoolean();
      Thread dribbler = dribble(c, head.getBytes(), 1, Duration.ofMillis(500), stop);
      long t0 = System.nanoTime();
      RawClient.Reply r = c.read(HEADER_READ.plus(MARGIN));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      stop.set(true);
      dribbler.interrupt();
      expect(
          !r.answered() ? r.outcome().startsWith("closed") : r.status() == 408,
          "expected the connection closed or 408 within "
              + HEADER_READ.plus(MARGIN)
              + ", saw "
              + r
              + " after "
              + took.toMillis()
              + " ms");
    }
  }

  @Test
  void slowBody_tenBytesPerSecond_isAnswered408OrClosedWithinBodyReadTimeout() throws Exception {
    try (RawClient c = RawClient.connect(sidecar.port())) {
      c.send(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
      String body = (Chat.oneMessage("main", "x".repeat(1000))).substring(0, 1000);
      AtomicBoolean stop = new AtomicBoolean();
      Thread dribbler = dribble(c, body.getBytes(), 10, Duration.ofSeconds(1), stop);
      long t0 = System.nanoTime();
      RawClient.Reply r = c.read(BODY_READ.plus(MARGIN));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      stop.set(true);
      dribbler.interrupt();
      if (r.answered()) {
        expectError(r, 408, "body_timeout");
      } else {
        expect(
            r.outcome().startsWith("closed"),
            "expected 408 body_timeout or the connection closed within "
                + BODY_READ.plus(MARGIN)
                + ", saw "
                + r
                + " after "
                + took.toMillis()
                + " ms");
      }
    }
  }

  private void bothPortsServe(String while_) throws Exception {
    Http.Response mgmt = Http.fresh().get(sidecar.managementPort(), "/readyz");
    expect(mgmt.status() == 200, while_ + ", the management port answered " + mgmt);
    Http.Response[] api = new Http.Response[1];
    boolean ok =
        // 1,000 idle connections past a cap of 128 drain in eight rounds of the idle timeout.
        Poll.until(
            IDLE.multipliedBy(10).plus(MARGIN),
            () -> {
              try {
                api[0] = Http.fresh().chat(sidecar.port(), "main", "hello");
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return api[0].status() == 200;
            });
    expect(ok, while_ + ", a normal request on a new connection got " + api[0]);
  }

  /** Writes {@code bytes} a few at a time with a pause between, until done or told to stop. */
  static Thread dribble(
      RawClient c, byte[] bytes, int perStep, Duration pause, AtomicBoolean stop) {
    return Thread.ofVirtual()
        .start(
            () -> {
              try {
                for (int i = 0; i < bytes.length && !stop.get(); i += perStep) {
                  c.send(
                      java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + perStep)));
                  Thread.sleep(pause);
                }
              } catch (Exception e) {
                // the server closed the connection, or the probe ended
              }
            });
  }
}
