package io.aihandler.router.server;

import io.helidon.common.socket.SocketOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The options of every client connection the server accepts: Helidon's (TCP_NODELAY), plus a read
 * timeout on the socket itself. Helidon's server applies no read timeout of its own, and before it
 * has read a request line it does not even count a connection as idle: a client that connects and
 * sends nothing would hold a connection, its buffers and a thread forever. With the socket's own
 * timeout, any read from a client that waits longer than {@code idleTimeout} (a silent new
 * connection, an idle keep-alive one, a stalled header or body) fails and the connection closes.
 *
 * <p>The timeout binds only the stream sockets Helidon reads with {@code useNio(false)}; its NIO
 * sockets read the channel directly, which no socket timeout reaches.
 */
final class ClientSocketOptions implements SocketOptions {

  private final SocketOptions delegate;
  private final int readTimeoutMillis;
  private final ClientConnections connections;

  /**
   * @param connections told of every connection accepted
   */
  ClientSocketOptions(Duration idleTimeout, ClientConnections connections) {
    this.connections = connections;
    // Streamed answers go out one small write per event: with Nagle's algorithm on, each write
    // after the first waits for the client's delayed ACK (40 ms on Linux).
    this.delegate = SocketOptions.builder().tcpNoDelay(true).build();
    this.readTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()));
  }

  @Override
  public void configureSocket(SocketChannel socket) {
    delegate.configureSocket(socket);
    try {
      socket.socket().setSoTimeout(readTimeoutMillis);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    connections.accepted(socket);
  }

  @Override
  public void configureSocket(Socket socket) {
    delegate.configureSocket(socket);
    try {
      socket.setSoTimeout(readTimeoutMillis);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    return Duration.ofMillis(readTimeoutMillis);
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
