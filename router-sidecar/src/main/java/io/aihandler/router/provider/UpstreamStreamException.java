package io.aihandler.router.provider;

/** A stream failed after it began: an in-band error event, bad data, or a premature end. */
public class UpstreamStreamException extends RuntimeException {

  private final UpstreamError error;

  public UpstreamStreamException(UpstreamError error) {
    super(error.message());
    this.error = error;
  }

  public UpstreamError error() {
    return error;
  }
}
