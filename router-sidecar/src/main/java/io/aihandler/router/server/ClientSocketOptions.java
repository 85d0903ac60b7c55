package io.aihandler.router.server;

import io.helidon.common.socket.SocketOptions;
import java.net.Socket;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The options of every client connection the server accepts: Helidon's (TCP_NODELAY), and the
 * connection's registration with {@link ClientConnections}.
 *
 * <p>No read timeout is set on the socket: every wait for a client already has a limit of its own,
 * kept on a coarse timer that costs nothing per read. A silent new connection and a stalled request
 * head are closed by {@link ClientConnections} ({@code headerReadTimeout}), a stalled body by the
 * body's deadline ({@code bodyReadTimeout}), an idle keep-alive connection by the listener's idle
 * timeout, a declared body that no handler reads by answering it with {@code Connection: close}
 * ({@code RouterServer.closeIfBodyUnread}), and a client that stops taking a stream by the stream's
 * write limit. A socket timeout on top of them made every read that had to wait arm and cancel a
 * timer of the virtual thread scheduler: about a tenth of the CPU of a small request.
 */
final class ClientSocketOptions implements SocketOptions {

  private final SocketOptions delegate;
  private final ClientConnections connections;

  /**
   * @param connections told of every connection accepted
   */
  ClientSocketOptions(ClientConnections connections) {
    this.connections = connections;
    // Streamed answers go out one small write per event: with Nagle's algorithm on, each write
    // after the first waits for the client's delayed ACK (40 ms on Linux).
    this.delegate = SocketOptions.builder().tcpNoDelay(true).build();
  }

  @Override
  public void configureSocket(SocketChannel socket) {
    delegate.configureSocket(socket);
    connections.accepted(socket);
  }

  @Override
  public void configureSocket(Socket socket) {
    delegate.configureSocket(socket);
  }

  @Override
  public Map<SocketOption<?>, Object> socketOptions() {
    return delegate.socketOptions();
  }

  @Override
  public Duration connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Duration readTimeout() {
    return delegate.readTimeout();
  }

  @Override
  public Optional<Integer> socketReceiveBufferSize() {
    return delegate.socketReceiveBufferSize();
  }

  @Override
  public Optional<Integer> socketSendBufferSize() {
    return delegate.socketSendBufferSize();
  }

  @Override
  public boolean socketReuseAddress() {
    return delegate.socketReuseAddress();
  }

  @Override
  public boolean socketKeepAlive() {
    return delegate.socketKeepAlive();
  }

  @Override
  public boolean tcpNoDelay() {
    return delegate.tcpNoDelay();
  }
}
