package io.aihandler.controllers.hosted;

import io.aihandler.controllers.hosted.VerificationResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides when a backend's key is checked again, so reconciles, which may come many times a second,
 * never turn into calls to a provider. Results are remembered per backend together with the key's
 * {@link ApiKey#fingerprint() fingerprint} and the URL called (never the key): a changed key or
 * endpoint is checked at once, subject to a minimum interval between two calls for the same
 * backend; an unchanged one is re-checked periodically, failures with exponential backoff.
 */
public final class VerificationSchedule {

  /**
   * How often checks happen.
   *
   * @param minimumInterval least time between two calls for one backend, whatever changes
   * @param validPeriod re-check period of a valid key
   * @param invalidBackoff first wait after a refused key; doubles up to {@code validPeriod}
   * @param unreachableBackoff first wait after no answer or an unexpected one; doubles up to {@code
   *     maximumUnreachableBackoff}
   * @param maximumUnreachableBackoff longest wait after no answer
   * @param rateLimitedBackoff least wait after a 429 (longer if the provider says so)
   */
  public record Settings(
      Duration minimumInterval,
      Duration validPeriod,
      Duration invalidBackoff,
      Duration unreachableBackoff,
      Duration maximumUnreachableBackoff,
      Duration rateLimitedBackoff) {

    /** Production defaults: at most one call per backend per 30s, hourly when all is well. */
    public static final Settings DEFAULTS =
        new Settings(
            Duration.ofSeconds(30),
            Duration.ofHours(1),
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            Duration.ofMinutes(15),
            Duration.ofMinutes(1));
  }

  /** What to do now for one backend. */
  public sealed interface Decision {}

  /** Call the provider now, then {@link #record} the result. */
  public record CheckNow() implements Decision {}

  /**
   * Reuse the last result.
   *
   * @param result the last verdict for this key and endpoint
   * @param checkedAt when it was obtained
   * @param nextCheck when the next call is due
   */
  public record UseLast(VerificationResult result, Instant checkedAt, Instant nextCheck)
      implements Decision {}

  /**
   * The key or endpoint changed too soon after the last call; check at {@code nextCheck}.
   *
   * @param nextCheck when the call is allowed
   */
  public record Deferred(Instant nextCheck) implements Decision {}

  private record Entry(
      String subject,
      VerificationResult result,
      Instant checkedAt,
      Instant nextCheck,
      int consecutiveFailures) {}

  private final Settings settings;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  public VerificationSchedule(Settings settings) {
    this.settings = Objects.requireNonNull(settings);
  }

  /** The subject of a check: which key, sent where. Holds a fingerprint, never the key. */
  public static String subject(ApiKey key, ProviderProbe probe) {
    return (key == null ? "no-key" : key.fingerprint()) + " " + probe.uri();
  }

  /**
   * What to do for {@code backend} (any stable id, e.g. namespace/name) whose current key and
   * endpoint make {@code subject}.
   */
  public Decision decide(String backend, String subject, Instant now) {
    Entry entry = entries.get(backend);
    if (entry == null) {
      return new CheckNow();
    }
    if (!entry.subject().equals(subject)) {
      Instant allowed = entry.checkedAt().plus(settings.minimumInterval());
      return now.isBefore(allowed) ? new Deferred(allowed) : new CheckNow();
    }
    return now.isBefore(entry.nextCheck())
        ? new UseLast(entry.result(), entry.checkedAt(), entry.nextCheck())
        : new CheckNow();
  }

  /** Remembers a call's result and returns when the next one is due. */
  public Instant record(String backend, String subject, VerificationResult result, Instant now) {
    Entry previous = entries.get(backend);
    int failures =
        result.outcome() == Outcome.VALID
            ? 0
            : previous != null && previous.subject().equals(subject)
                ? previous.consecutiveFailures() + 1
                : 1;
    Duration wait =
        switch (result.outcome()) {
          case VALID -> settings.validPeriod();
          case INVALID -> doubled(settings.invalidBackoff(), failures, settings.validPeriod());
          case UNREACHABLE, UNEXPECTED_RESPONSE ->
              doubled(
                  settings.unreachableBackoff(), failures, settings.maximumUnreachableBackoff());
          case RATE_LIMITED -> {
            Duration backoff =
                doubled(
                    settings.rateLimitedBackoff(), failures, settings.maximumUnreachableBackoff());
            Duration asked = result.retryAfter().orElse(Duration.ZERO);
            yield asked.compareTo(backoff) > 0 ? asked : backoff;
          }
        };
    if (wait.compareTo(settings.minimumInterval()) < 0) {
      wait = settings.minimumInterval();
    }
    Instant next = now.plus(wait);
    entries.put(backend, new Entry(subject, result, now, next, failures));
    return next;
  }

  /** The last result for a backend, if any. */
  public Optional<VerificationResult> last(String backend) {
    return Optional.ofNullable(entries.get(backend)).map(Entry::result);
  }

  /** Drops what is remembered about a deleted backend. */
  public void forget(String backend) {
    entries.remove(backend);
  }

  private static Duration doubled(Duration first, int failures, Duration maximum) {
    Duration wait = first;
    for (int i = 1; i < failures && wait.compareTo(maximum) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maximum) > 0 ? maximum : wait;
  }
}
