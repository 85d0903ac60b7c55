package io.aihandler.router.server;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/** Tells a listener's {@link ClientConnections} when each request head begins and ends. */
final class RequestHeadEvents implements Http1ConnectionListener {

  private final ClientConnections connections;

  RequestHeadEvents(ClientConnections connections) {
    this.connections = connections;
  }

  @Override
  public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
    connections.requestStarted(ctx.remotePeer().host(), ctx.remotePeer().port());
  }

  @Override
  public void headers(ConnectionContext ctx, Headers headers) {
    connections.headersArrived(ctx.remotePeer().host(), ctx.remotePeer().port());
  }
}
