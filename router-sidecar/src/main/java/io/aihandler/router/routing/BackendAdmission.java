package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.runtime.TokenBudget;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Lets an attempt reach a backend, or says why not: a translator and a key must exist, and the
 * circuit, the concurrency limit, tokens per minute and requests per minute must each give a
 * permit. What was taken is given back by {@link Permit#close()} on every path.
 */
final class BackendAdmission {

  /** The result of asking: a {@link Permit} or a {@link Refused}. */
  sealed interface Admission permits Permit, Refused {}

  /** Why a backend took no attempt; nothing of it is held. */
  record Refused(String message) implements Admission {}

  private final CredentialStore credentials;
  private final LongSupplier nanoTime;

  BackendAdmission(CredentialStore credentials) {
    this(credentials, System::nanoTime);
  }

  BackendAdmission(CredentialStore credentials, LongSupplier nanoTime) {
    this.credentials = credentials;
    this.nanoTime = nanoTime;
  }

  /** Asks the backend to take one attempt of this OpenAI chat request. */
  Admission admit(BackendRuntime b, JsonNode request) {
    return admit(b, (BackendRuntime backend) -> charge(backend, request));
  }

  /** Asks the backend to take one attempt charged {@code charge} tokens (if it limits tokens). */
  Admission admit(BackendRuntime b, java.util.function.ToLongFunction<BackendRuntime> charge) {
    if (b.translator() == null) {
      return new Refused(b.translatorProblem());
    }
    if (b.config().credentials() != null && credentials.key(b.config()) == null) {
      return new Refused("no API key is available for backend " + b.name());
    }
    if (!b.breaker().tryAcquirePermission()) {
      return new Refused("the circuit of backend " + b.name() + " is open");
    }
    if (!b.concurrency().tryAcquire()) {
      b.breaker().releasePermission();
      return new Refused("backend " + b.name() + " is at its concurrency limit");
    }
    TokenBudget tokens = b.tokens();
    long charged = tokens.perMinute() == 0 ? 0 : charge.applyAsLong(b);
    if (!tokens.tryTake(charged, nanoTime.getAsLong())) {
      b.breaker().releasePermission();
      b.concurrency().release();
      return new Refused("backend " + b.name() + " is at its tokens-per-minute limit");
    }
    if (!b.rate().tryTake(nanoTime.getAsLong())) {
      tokens.correct(charged, 0, nanoTime.getAsLong());
      b.breaker().releasePermission();
      b.concurrency().release();
      return new Refused("backend " + b.name() + " is at its requests-per-minute limit");
    }
    return new Permit(b, charged, nanoTime);
  }

  /**
   * What an attempt is charged before the provider has counted: the estimate, but never more than
   * the backend can take in (its context window) or, with none known, than a minute's tokens. A
   * client's {@code max_tokens: 1e12} must not leave a debt no refill ever pays off.
   */
  static long charge(BackendRuntime b, JsonNode request) {
    return capped(b, TokenEstimate.of(request, b.config().defaultMaxTokens()));
  }

  /** An estimate, capped as {@link #charge} caps it. */
  static long capped(BackendRuntime b, long estimate) {
    Integer window = b.config().capabilities().contextWindow();
    long cap = window != null && window > 0 ? window : b.tokens().perMinute();
    return cap > 0 ? Math.min(estimate, cap) : estimate;
  }

  /**
   * The backend's permits for one attempt. The attempt settles the circuit ({@link #succeeded},
   * {@link #failed}, or neither when the failure was not the backend's) and reports the tokens the
   * provider counted; {@link #close()} then releases the concurrency slot, gives back an unsettled
   * circuit permission, and corrects the token charge: to the reported usage, or to nothing when
   * the attempt failed without any.
   */
  static final class Permit implements Admission, AutoCloseable {
    private final BackendRuntime backend;
    private final long charged;
    private final LongSupplier nanoTime;
    private boolean circuitSettled;
    private boolean answered;
    private long usedTokens;
    private boolean closed;

    private Permit(BackendRuntime backend, long charged, LongSupplier nanoTime) {
      this.backend = backend;
      this.charged = charged;
      this.nanoTime = nanoTime;
    }

    /** Tokens charged to the backend's tokens-per-minute for this attempt. */
    long charged() {
      return charged;
    }

    /** The backend answered well: counts for its circuit. */
    void succeeded(long tookNanos) {
      if (!circuitSettled) {
        circuitSettled = true;
        backend.breaker().onSuccess(tookNanos, TimeUnit.NANOSECONDS);
      }
    }

    /** The backend failed: counts against its circuit. */
    void failed(long tookNanos, Throwable cause) {
      if (!circuitSettled) {
        circuitSettled = true;
        backend.breaker().onError(tookNanos, TimeUnit.NANOSECONDS, cause);
      }
    }

    /**
     * The backend answered with an error: server and key failures count against its circuit, a
     * client's error for it, and a rate limit not at all (the backend is busy, not broken).
     */
    void upstreamError(UpstreamError.Kind kind, long tookNanos) {
      switch (kind) {
        case SERVER_ERROR, AUTHENTICATION -> failed(tookNanos, new IOException(kind.name()));
        case CLIENT_ERROR -> succeeded(tookNanos);
        case RATE_LIMITED -> {
          // released unsettled on close
        }
      }
    }

    /** The backend produced an answer (valid or not): without a usage report the charge stands. */
    void answered() {
      answered = true;
    }

    /** Tokens the provider reported for this attempt. */
    void used(long tokens) {
      usedTokens += tokens;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (!circuitSettled) {
        backend.breaker().releasePermission();
      }
      backend.concurrency().release();
      if (usedTokens > 0) {
        backend.tokens().correct(charged, usedTokens, nanoTime.getAsLong());
      } else if (!answered) {
        backend.tokens().correct(charged, 0, nanoTime.getAsLong());
      }
    }
  }
}
