package io.aihandler.router.routing;

/**
 * The client of a held request left before anything was written to it: nothing is sent upstream for
 * it, and nothing can reach it any more. Its outcome is {@link Outcome#CLIENT_CLOSED}.
 */
public final class ClientLeftException extends RuntimeException {

  ClientLeftException() {
    super("the client left while its request was held", null, false, false);
  }
}
