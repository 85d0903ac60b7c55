package io.aihandler.router.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.SidecarSettings;
import io.aihandler.router.runtime.ThreadDeadline;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Reads a request body within the sidecar's limits: no more than {@code maxRequestBytes}, within
 * {@code bodyReadTimeout}, and only while the {@link MemoryBudget} has room for what the body and
 * its tree will cost. The reservation lasts as long as the returned {@link Body}.
 */
final class RequestBodyReader {

  /** A chunked body of unknown length reserves its cost in steps of this many bytes. */
  private static final int STEP = 64 * 1024;

  private final long maxBytes;
  private final Duration timeout;
  private final MemoryBudget budget;
  private final ServerTimers timers;
  private final BoundedJsonReader json;

  RequestBodyReader(SidecarSettings s, MemoryBudget budget, ServerTimers timers) {
    this.maxBytes = s.maxRequestBytes();
    this.timeout = s.bodyReadTimeoutDuration();
    this.budget = budget;
    this.timers = timers;
    this.json =
        new BoundedJsonReader(
            s.maxJsonDepth(),
            s.maxJsonArrayItems(),
            s.maxRequestBytes(),
            s.maxRequestBytes() * MemoryBudget.TREE_BYTES_PER_BODY_BYTE);
  }

  /** A parsed body and the share of the memory budget it holds. */
  static final class Body implements AutoCloseable {
    private final MemoryBudget budget;
    private long reserved;
    private ObjectNode json;

    private Body(MemoryBudget budget) {
      this.budget = budget;
    }

    ObjectNode json() {
      return json;
    }

    /** Reserves more for this request (its body, its tree, its upstream answers). */
    void reserve(long bytes) {
      if (!budget.tryReserve(bytes)) {
        throw new ApiException(
            503,
            "server_error",
            "overloaded",
            "the sidecar's memory for requests ("
                + budget.capacity() / (1024 * 1024)
                + " MiB) is taken by requests in flight; retry shortly");
      }
      reserved += bytes;
    }

    @Override
    public void close() {
      budget.release(reserved);
      reserved = 0;
    }
  }

  Body read(ServerRequest req) {
    long declared = req.headers().contentLength().orElse(-1);
    if (declared > maxBytes) {
      throw tooLarge();
    }
    Body body = new Body(budget);
    try {
      byte[] bytes = readBytes(req, declared, body);
      if (bytes.length == 0) {
        throw ApiException.badRequest("missing_body", null, "the request needs a JSON body");
      }
      body.json = json.readObject(bytes, body::reserve);
      return body;
    } catch (RuntimeException e) {
      body.close();
      throw e;
    }
  }

  private byte[] readBytes(ServerRequest req, long declared, Body body) {
    long cost = MemoryBudget.RAW_BYTES_PER_BODY_BYTE;
    boolean chunked = declared < 0;
    // A declared length is reserved whole before the first byte is read; a chunked body step by
    // step.
    body.reserve((chunked ? STEP : Math.max(declared, 1)) * cost);
    byte[] buf = new byte[(int) (chunked ? STEP : declared)];
    int len = 0;
    ThreadDeadline deadline = timers.deadline(timeout);
    try (InputStream in = req.content().inputStream()) {
      while (true) {
        if (len == buf.length) {
          if (!chunked) {
            break; // Helidon ends the content at the declared length
          }
          int grown = (int) Math.min((long) buf.length + STEP, maxBytes + 1);
          body.reserve((long) (grown - buf.length) * cost);
          buf = Arrays.copyOf(buf, grown);
        }
        int n = in.read(buf, len, buf.length - len);
        if (n < 0) {
          break;
        }
        len += n;
        if (len > maxBytes) {
          throw tooLarge();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw unreadable(deadline.finish());
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      // Helidon's own reading of the framing (a chunk size that is not hex, or too large).
      if (deadline.finish()) {
        throw unreadable(true);
      }
      throw ApiException.badRequest(
          "invalid_body_framing", null, "the request body's chunked framing is not valid HTTP/1.1");
    } finally {
      deadline.finish();
    }
    return len == buf.length ? buf : Arrays.copyOf(buf, len);
  }

  private ApiException unreadable(boolean timedOut) {
    if (timedOut) {
      return new ApiException(
          408,
          "invalid_request_error",
          "body_timeout",
          "the request body did not arrive within "
              + timeout.toMillis()
              + " ms (sidecar.bodyReadTimeout)");
    }
    return ApiException.badRequest("unreadable_body", null, "the request body could not be read");
  }

  private ApiException tooLarge() {
    return new ApiException(
        413,
        "invalid_request_error",
        "request_too_large",
        null,
        "the request body is larger than " + maxBytes + " bytes (sidecar.maxRequestBytes)");
  }
}
