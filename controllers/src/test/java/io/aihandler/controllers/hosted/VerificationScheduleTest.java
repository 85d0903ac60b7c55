package io.aihandler.controllers.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.controllers.hosted.VerificationResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerificationScheduleTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final VerificationSchedule schedule =
      new VerificationSchedule(VerificationSchedule.Settings.DEFAULTS);

  private static VerificationResult result(Outcome outcome) {
    return new VerificationResult(outcome, null, "detail", Optional.empty());
  }

  @Test
  void firstLookChecksThenReusesUntilThePeriodEnds() {
    assertThat(schedule.decide("llm/gpt", "k1", T0))
        .isInstanceOf(VerificationSchedule.CheckNow.class);
    Instant next = schedule.record("llm/gpt", "k1", result(Outcome.VALID), T0);

    assertThat(next).isEqualTo(T0.plus(Duration.ofHours(1)));
    assertThat(schedule.decide("llm/gpt", "k1", T0.plusSeconds(1800)))
        .isInstanceOf(VerificationSchedule.UseLast.class);
    assertThat(schedule.decide("llm/gpt", "k1", next))
        .isInstanceOf(VerificationSchedule.CheckNow.class);
  }

  @Test
  void changedKeyIsCheckedAtOnceButNeverTwiceWithinTheMinimumInterval() {
    schedule.record("llm/gpt", "k1", result(Outcome.VALID), T0);

    assertThat(schedule.decide("llm/gpt", "k2", T0.plusSeconds(5)))
        .isEqualTo(new VerificationSchedule.Deferred(T0.plusSeconds(30)));
    assertThat(schedule.decide("llm/gpt", "k2", T0.plusSeconds(30)))
        .isInstanceOf(VerificationSchedule.CheckNow.class);
  }

  @Test
  void unreachableBacksOffExponentiallyUpToItsCap() {
    Instant now = T0;
    Duration previous = Duration.ZERO;
    for (int i = 0; i < 8; i++) {
      Instant next = schedule.record("llm/gpt", "k1", result(Outcome.UNREACHABLE), now);
      Duration wait = Duration.between(now, next);
      assertThat(wait).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(Duration.ofMinutes(15));
      previous = wait;
      now = next;
    }
    assertThat(previous).isEqualTo(Duration.ofMinutes(15));
    // 30s, 60s, 120s...: the second wait doubles the first
    Instant a = schedule.record("llm/other", "k1", result(Outcome.UNREACHABLE), T0);
    Instant b = schedule.record("llm/other", "k1", result(Outcome.UNREACHABLE), a);
    assertThat(Duration.between(T0, a)).isEqualTo(Duration.ofSeconds(30));
    assertThat(Duration.between(a, b)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void refusedKeyBacksOffFromFiveMinutesAndSuccessResets() {
    Instant first = schedule.record("llm/gpt", "k1", result(Outcome.INVALID), T0);
    Instant second = schedule.record("llm/gpt", "k1", result(Outcome.INVALID), first);
    assertThat(Duration.between(T0, first)).isEqualTo(Duration.ofMinutes(5));
    assertThat(Duration.between(first, second)).isEqualTo(Duration.ofMinutes(10));

    Instant valid = schedule.record("llm/gpt", "k1", result(Outcome.VALID), second);
    Instant afterReset = schedule.record("llm/gpt", "k1", result(Outcome.UNREACHABLE), valid);
    assertThat(Duration.between(valid, afterReset)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void rateLimitHonoursALongerRetryAfter() {
    VerificationResult limited =
        new VerificationResult(Outcome.RATE_LIMITED, 429, "d", Optional.of(Duration.ofMinutes(7)));
    assertThat(schedule.record("llm/gpt", "k1", limited, T0))
        .isEqualTo(T0.plus(Duration.ofMinutes(7)));
  }

  @Test
  void subjectHoldsAFingerprintNotTheKey() {
    ApiKey key = ApiKey.of("sk-schedule-0f1e2d3c");
    ProviderProbe probe =
        new ProviderProbe(
            java.net.URI.create("https://api.openai.com/v1/models"), java.util.Map.of());
    assertThat(VerificationSchedule.subject(key, probe))
        .doesNotContain("sk-schedule-0f1e2d3c")
        .contains(key.fingerprint());
  }
}
