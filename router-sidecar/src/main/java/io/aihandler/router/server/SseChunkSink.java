package io.aihandler.router.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.responses.ResponseEventWriter;
import io.aihandler.router.routing.ChunkSink;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes chunks to the client as server-sent events. A chunk is flushed when the router says the
 * upstream has no further event ready ({@link #flush()}), so tokens arrive as made while events
 * that came in one read leave in one write, and the stream's last bytes go with its end. A client
 * that goes away mid-stream surfaces as an {@link IOException}, whatever form the server's write
 * failure takes, so the router treats it as the client's doing and never as the backend's. Chat
 * streams are unnamed {@code data:} events ending in {@code [DONE]}; Responses streams are named
 * events ({@link ResponseEventWriter}) with no {@code [DONE]}.
 */
final class SseChunkSink implements ChunkSink, ResponseEventWriter {

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ERROR_EVENT = "event: error\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LINE_END = "\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

  private final ServerResponse response;
  private final ObjectMapper mapper;
  private OutputStream out;
  private boolean unflushed;

  SseChunkSink(ServerResponse response, ObjectMapper mapper) {
    this.response = response;
    this.mapper = mapper;
  }

  boolean begun() {
    return out != null;
  }

  @Override
  public void begin() {
    if (out != null) {
      return; // committed by a keep-alive while the request was held
    }
    response.status(200);
    response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    out = response.outputStream();
  }

  @Override
  public void keepAlive() throws IOException {
    try {
      begin();
      out.write(KEEP_ALIVE);
      out.flush();
    } catch (UncheckedIOException | CloseConnectionException e) {
      throw clientGone(e);
    }
  }

  @Override
  public void chunk(ObjectNode chunk) throws IOException {
    try {
      out.write(DATA);
      // Serialised straight into the response stream: no intermediate string per chunk.
      mapper.writeValue(new NonClosing(out), chunk);
      out.write(END);
      unflushed = true;
    } catch (UncheckedIOException | CloseConnectionException e) {
      throw clientGone(e);
    }
  }

  @Override
  public boolean takesBytes() {
    return true;
  }

  @Override
  public void chunk(byte[] json) throws IOException {
    try {
      out.write(DATA);
      out.write(json);
      out.write(END);
      unflushed = true;
    } catch (UncheckedIOException | CloseConnectionException e) {
      throw clientGone(e);
    }
  }

  @Override
  public void flush() throws IOException {
    if (!unflushed) {
      return;
    }
    try {
      out.flush();
      unflushed = false;
    } catch (UncheckedIOException | CloseConnectionException e) {
      throw clientGone(e);
    }
  }

  @Override
  public void done() throws IOException {
    try {
      out.write(DONE);
      out.flush();
      out.close();
    } catch (UncheckedIOException | CloseConnectionException e) {
      throw clientGone(e);
    }
  }

  @Override
  public void error(ApiException error) throws IOException {
    try {
      out.write(ERROR_EVENT);
      out.write(DATA);
      mapper.writeValue(new NonClosing(out), ErrorEnvelope.of(error));
      out.write(END);
      out.flush();
      out.close();
    } catch (UncheckedIOException | CloseConnectionException e) {
      throw clientGone(e);
    }
  }

  @Override
  public void event(String type, ObjectNode data) throws IOException {
    try {
      out.write(EVENT);
      out.write(type.getBytes(StandardCharsets.US_ASCII));
      out.write(LINE_END);
      out.write(DATA);
      mapper.writeValue(new NonClosing(out), data);
      out.write(END);
      unflushed = true;
    } catch (UncheckedIOException | CloseConnectionException e) {
      throw clientGone(e);
    }
  }

  @Override
  public void end() throws IOException {
    try {
      out.close();
    } catch (UncheckedIOException | CloseConnectionException e) {
      throw clientGone(e);
    }
  }

  /** Helidon reports a failed write to the client as an unchecked exception. */
  private static IOException clientGone(RuntimeException e) {
    return new IOException("the client closed the connection", e);
  }

  /** Jackson closes the stream it writes to; the response stream must stay open. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() {
      // the response stream is closed by done(), error() or end()
    }
  }
}
