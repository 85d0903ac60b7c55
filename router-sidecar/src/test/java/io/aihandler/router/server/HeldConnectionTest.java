package io.aihandler.router.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.runtime.ColdCapacity;
import io.aihandler.router.runtime.TimerTaskGuard;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A held request's connection, read as the server reads it (Helidon's stream socket over the
 * accepted channel): a client that closes or resets it is seen without a byte written to it, one
 * that stays is not taken as gone however long it waits, and what it sends is kept for the server.
 */
class HeldConnectionTest {

  private static final int READ_TIMEOUT_MILLIS = 400;

  private ServerSocketChannel server;
  private Socket client;
  private SocketChannel accepted;
  private HelidonSocket helidon;

  @BeforeEach
  void connect() throws Exception {
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    client = new Socket("127.0.0.1", server.socket().getLocalPort());
    accepted = server.accept();
    accepted.socket().setSoTimeout(READ_TIMEOUT_MILLIS); // as ClientSocketOptions does
    helidon = PlainSocket.server(accepted.socket(), "test", "test");
  }

  @AfterEach
  void close() throws Exception {
    client.close();
    accepted.close();
    server.close();
  }

  private HeldConnection watch() {
    return new HeldConnection(helidon, accepted.socket(), READ_TIMEOUT_MILLIS);
  }

  private static boolean within(Duration d, BooleanSupplier condition) throws Exception {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(10);
    }
    return condition.getAsBoolean();
  }

  @Test
  void aClientThatClosesItsConnectionIsGone() throws Exception {
    HeldConnection w = watch();
    w.start();
    assertThat(w.gone()).isFalse();

    client.close();

    assertThat(within(Duration.ofSeconds(1), w::gone)).isTrue();
    w.stop();
  }

  @Test
  void aClientThatResetsItsConnectionIsGone() throws Exception {
    HeldConnection w = watch();
    w.start();
    client.setSoLinger(true, 0);
    client.close();
    assertThat(within(Duration.ofSeconds(1), w::gone)).isTrue();
    w.stop(); // the monitor's failure ends it quietly
    assertThat(w.gone()).isTrue();
  }

  @Test
  void aClientThatWaitsLongerThanTheReadTimeoutIsStillThere() throws Exception {
    HeldConnection w = watch();
    w.start();
    Thread.sleep(3L * READ_TIMEOUT_MILLIS);
    assertThat(w.gone()).as("the monitor did not give up at the read timeout").isFalse();
    long stopping = System.nanoTime();
    w.stop();
    assertThat(System.nanoTime() - stopping)
        .as("the monitor ends within one of its reads")
        .isLessThan(TimeUnit.MILLISECONDS.toNanos(300));
    assertThat(soTimeout()).as("the read timeout is set back").isEqualTo(READ_TIMEOUT_MILLIS);
    assertThat(w.gone()).isFalse();
  }

  @Test
  void whatThePipeliningClientSendsWhileHeldIsKeptForTheServersNextRead() throws Exception {
    HeldConnection w = watch();
    w.start();
    client.getOutputStream().write("GET /next HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
    client.getOutputStream().flush();
    Thread.sleep(300);
    assertThat(w.gone()).isFalse();
    w.stop();
    assertThat(soTimeout()).isEqualTo(READ_TIMEOUT_MILLIS);

    StringBuilder read = new StringBuilder();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (read.length() < 20 && System.nanoTime() < end) {
      read.append(new String(helidon.get(), StandardCharsets.US_ASCII));
    }
    assertThat(read.toString()).isEqualTo("GET /next HTTP/1.1\r\n");
    assertThat(soTimeout())
        .as("the monitor has ended: the timeout is the connection's")
        .isEqualTo(READ_TIMEOUT_MILLIS);
  }

  @Test
  void aConnectionNotKnownToTheListenerIsNotWatched() {
    try (ServerTimers timers = new ServerTimers(TimerTaskGuard.loggingOnly("test"))) {
      ClientConnections connections = new ClientConnections(timers, Duration.ofMinutes(1), 8);
      assertThat(connections.watch("127.0.0.1", 1)).isSameAs(ColdCapacity.ClientWatch.NONE);
    }
  }

  @Test
  void theListenerWatchesAConnectionOnceItsSocketIsKnown() throws Exception {
    try (ServerTimers timers = new ServerTimers(TimerTaskGuard.loggingOnly("test"))) {
      ClientConnections connections = new ClientConnections(timers, Duration.ofMinutes(1), 8);
      connections.accepted(accepted);
      InetSocketAddress peer = (InetSocketAddress) accepted.getRemoteAddress();
      assertThat(connections.watch(peer.getHostString(), peer.getPort()))
          .as("no request line read yet")
          .isSameAs(ColdCapacity.ClientWatch.NONE);
      connections.requestStarted(peer.getHostString(), peer.getPort(), helidon);

      ColdCapacity.ClientWatch w = connections.watch(peer.getHostString(), peer.getPort());
      assertThat(w).isInstanceOf(HeldConnection.class);
      w.start();
      client.close();
      assertThat(within(Duration.ofSeconds(1), w::gone)).isTrue();
      w.stop();
    }
  }

  private int soTimeout() {
    try {
      return accepted.socket().getSoTimeout();
    } catch (Exception e) {
      return -1;
    }
  }
}
