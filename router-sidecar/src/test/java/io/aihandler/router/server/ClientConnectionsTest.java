package io.aihandler.router.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.runtime.TimerTaskGuard;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientConnectionsTest {

  private final ServerTimers timers = new ServerTimers(TimerTaskGuard.loggingOnly("test"));

  @AfterEach
  void stop() {
    timers.close();
  }

  @Test
  void connectionsThatComeAndGoDoNotPileUpInTheRegistry() throws Exception {
    ClientConnections connections = new ClientConnections(timers, Duration.ofMinutes(1), 8);
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      for (int i = 0; i < 300; i++) {
        try (Socket client = new Socket("127.0.0.1", server.socket().getLocalPort())) {
          SocketChannel accepted = server.accept();
          connections.accepted(accepted);
          accepted.close(); // as the server does when the client goes away
        }
      }
    }
    assertThat(connections.open())
        .as("closed connections are pruned on accept")
        .isLessThanOrEqualTo(1);
  }

  @Test
  void aFullListenerClosesItsLongestIdleConnectionButNeverABusyOne() throws Exception {
    ClientConnections connections = new ClientConnections(timers, Duration.ofMinutes(1), 3);
    List<Socket> clients = new ArrayList<>();
    List<SocketChannel> accepted = new ArrayList<>();
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      for (int i = 0; i < 3; i++) {
        clients.add(new Socket("127.0.0.1", server.socket().getLocalPort()));
        SocketChannel ch = server.accept();
        accepted.add(ch);
        if (i == 0) {
          InetSocketAddress peer = (InetSocketAddress) ch.getRemoteAddress();
          connections.accepted(ch);
          connections.requestStarted(
              peer.getHostString(), peer.getPort(), null); // the oldest is busy
        } else {
          connections.accepted(ch);
        }
      }
      assertThat(accepted.get(0).isOpen()).as("busy: kept").isTrue();
      assertThat(accepted.get(1).isOpen()).as("the longest idle: closed").isFalse();
      assertThat(accepted.get(2).isOpen()).as("the newest: kept").isTrue();
    } finally {
      for (Socket c : clients) {
        c.close();
      }
      for (SocketChannel ch : accepted) {
        ch.close();
      }
    }
  }

  @Test
  void aHeadThatIsLateClosesItsConnection() throws Exception {
    ClientConnections connections = new ClientConnections(timers, Duration.ofMillis(200), 8);
    try (ServerSocketChannel server = ServerSocketChannel.open();
        Socket client = new Socket()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      client.connect(server.getLocalAddress());
      SocketChannel late = server.accept();
      connections.accepted(late);
      Thread.sleep(600);
      assertThat(late.isOpen()).isFalse();
    }
  }
}
