package io.aihandler.router.runtime;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP exchange of the sidecar's own (a health probe, an activation) under a deadline for the
 * whole of it, connecting, the answer's head and its body, and with a bound on the body kept. The
 * JDK client's request timeout ends once the answer's head has arrived, and a body read has no
 * limit of its own: a peer that sends its body a byte at a time would hold the exchange, and the
 * thread waiting for it, for ever. At the deadline the exchange is abandoned and its connection
 * closed.
 */
final class BoundedExchange {

  private BoundedExchange() {}

  /** How an exchange ended. */
  sealed interface Result permits Answered, Failed {}

  /** The peer answered in time, with a body within the bound. */
  record Answered(int status, byte[] body) implements Result {}

  /** No whole answer in time or within the bound. */
  record Failed(Failure failure, String detail) implements Result {}

  /** Why an exchange failed. */
  enum Failure {
    /** The deadline struck first. */
    TIMEOUT,
    /** The answer's body was longer than the bound. */
    TOO_LARGE,
    /** No answer: the connection was refused, reset or could not be made. */
    UNREACHABLE
  }

  /**
   * Sends {@code request} and waits for the whole answer at most {@code deadline}.
   *
   * @param maxBody most bytes of the answer's body kept; a longer one fails the exchange
   */
  static Result send(HttpClient http, HttpRequest request, Duration deadline, int maxBody) {
    // Set by the body itself: the failure the client reports is its own wrapping of the cause.
    AtomicBoolean overflowed = new AtomicBoolean();
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(request, info -> new LimitedBody(maxBody, overflowed));
    try {
      HttpResponse<byte[]> r = exchange.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
      return new Answered(r.statusCode(), r.body());
    } catch (TimeoutException e) {
      exchange.cancel(true); // aborts the exchange: its connection is closed
      return new Failed(Failure.TIMEOUT, "no whole answer within " + deadline.toMillis() + " ms");
    } catch (ExecutionException e) {
      if (overflowed.get()) {
        return new Failed(
            Failure.TOO_LARGE, "the answer's body is longer than " + maxBody + " bytes");
      }
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        if (t instanceof java.net.http.HttpTimeoutException) {
          return new Failed(Failure.TIMEOUT, t.getClass().getSimpleName());
        }
      }
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new Failed(Failure.UNREACHABLE, cause.getClass().getSimpleName());
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      return new Failed(Failure.UNREACHABLE, "interrupted");
    }
  }

  /** Collects at most {@code max} bytes; one more cancels the body and fails it. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final AtomicBoolean overflowed;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private byte[] bytes = new byte[0];
    private Flow.Subscription subscription;

    LimitedBody(int max, AtomicBoolean overflowed) {
      this.max = max;
      this.overflowed = overflowed;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      int length = bytes.length;
      for (ByteBuffer b : buffers) {
        if (b.remaining() > max - length) {
          overflowed.set(true);
          subscription.cancel();
          body.completeExceptionally(new IOException("longer than " + max + " bytes"));
          return;
        }
        length += b.remaining();
      }
      int at = bytes.length;
      bytes = Arrays.copyOf(bytes, length);
      for (ByteBuffer b : buffers) {
        int n = b.remaining();
        b.get(bytes, at, n);
        at += n;
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
      body.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      body.complete(bytes);
    }
  }
}
