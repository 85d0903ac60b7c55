package io.aihandler.router.server;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Tells a listener's {@link ClientConnections} when each request head begins and ends, and the
 * connection's socket, which a held request's watch reads.
 */
final class RequestHeadEvents implements Http1ConnectionListener {

  private final ClientConnections connections;

  RequestHeadEvents(ClientConnections connections) {
    this.connections = connections;
  }

  @Override
  public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
    connections.requestStarted(ctx.remotePeer().host(), ctx.remotePeer().port(), socket(ctx));
  }

  private static HelidonSocket socket(ConnectionContext ctx) {
    try {
      return ctx.serverSocket();
    } catch (UnsupportedOperationException e) {
      return null; // a connection that does not give its socket is not watched while held
    }
  }

  @Override
  public void headers(ConnectionContext ctx, Headers headers) {
    connections.headersArrived(ctx.remotePeer().host(), ctx.remotePeer().port());
  }
}
