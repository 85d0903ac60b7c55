package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.FallbackTrigger;
import io.aihandler.router.routing.RetryState.Step;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The decisions that follow each attempt, without HTTP and without waiting. */
class RetryStateTest {

  private static final Set<FallbackTrigger> ALL = EnumSet.allOf(FallbackTrigger.class);
  private static final IntervalFunction BACKOFF = attempt -> 100L * attempt;
  private static final long NOW = 0;
  private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

  private static RetryState state(int targets, int maxAttempts, Set<FallbackTrigger> fallbackOn) {
    return new RetryState(
        targets, maxAttempts, fallbackOn, BACKOFF, Duration.ofSeconds(1), NOW + TEN_SECONDS);
  }

  @Test
  void aTargetIsRetriedOnlyWhileEachLaterTargetKeepsAnAttempt() {
    RetryState s = state(2, 3, ALL);

    s.attempted();
    RetryState.Decision first = s.afterFailure(FallbackTrigger.SERVER_ERROR, null, NOW);
    assertThat(first.step()).isEqualTo(Step.RETRY);
    assertThat(first.waitMillis()).isEqualTo(100);
    s.attempted();
    // One attempt left and one later target: the retry would starve the fallback.
    assertThat(s.afterFailure(FallbackTrigger.SERVER_ERROR, null, NOW).step())
        .isEqualTo(Step.FALL_BACK);
    assertThat(s.target()).isEqualTo(1);
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.SERVER_ERROR, null, NOW).step()).isEqualTo(Step.STOP);
    assertThat(s.hasAttemptLeft()).isFalse();
  }

  @Test
  void theBackoffGrowsWithEachRetryOfTheSameTargetAndStartsOverOnTheNext() {
    RetryState s = state(2, 10, ALL);
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.SERVER_ERROR, null, NOW).waitMillis()).isEqualTo(100);
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.SERVER_ERROR, null, NOW).waitMillis()).isEqualTo(200);
    s.attempted();
    assertThat(s.afterRefusal().step()).isEqualTo(Step.FALL_BACK);
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.SERVER_ERROR, null, NOW).waitMillis()).isEqualTo(100);
  }

  @Test
  void aClientErrorEndsTheRequest() {
    RetryState s = state(3, 5, ALL);
    s.attempted();
    assertThat(s.afterFailure(null, null, NOW).step()).isEqualTo(Step.STOP);
  }

  @Test
  void anUnavailableBackendIsNeverRetried() {
    RetryState s = state(2, 5, ALL);
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.UNAVAILABLE, null, NOW).step())
        .isEqualTo(Step.FALL_BACK);
  }

  @Test
  void aFailureTheRouteDoesNotFallBackOnIsRetriedOrEnds() {
    RetryState s = state(2, 2, EnumSet.of(FallbackTrigger.TIMEOUT));
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.SERVER_ERROR, null, NOW).step())
        .isEqualTo(Step.RETRY);
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.SERVER_ERROR, null, NOW).step()).isEqualTo(Step.STOP);
  }

  @Test
  void retryAfterLongerThanTheBackoffIsWaitedFor() {
    RetryState s = state(1, 3, ALL);
    s.attempted();
    RetryState.Decision d =
        s.afterFailure(FallbackTrigger.RATE_LIMITED, Duration.ofSeconds(3), NOW);
    assertThat(d.step()).isEqualTo(Step.RETRY);
    assertThat(d.waitMillis()).isEqualTo(3000);
  }

  @Test
  void retryAfterBeyondTheLongestBackoffMovesOnWhenThereIsATargetToMoveOnTo() {
    RetryState s = state(2, 5, ALL);
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.RATE_LIMITED, Duration.ofSeconds(5), NOW).step())
        .isEqualTo(Step.FALL_BACK);
  }

  @Test
  void aRetryWhoseWaitOutlastsTheRequestIsNotMade() {
    RetryState s = state(1, 3, ALL);
    s.attempted();
    assertThat(s.afterFailure(FallbackTrigger.RATE_LIMITED, Duration.ofSeconds(30), NOW).step())
        .isEqualTo(Step.STOP);
    assertThat(s.outOfTime(NOW + TEN_SECONDS)).isTrue();
    assertThat(s.outOfTime(NOW + TEN_SECONDS - 1)).isFalse();
  }

  @Test
  void invalidOutputIsRepairedThenFallsBack() {
    RetryState s = state(2, 5, ALL);
    s.attempted();
    assertThat(s.afterInvalidOutput(1).step()).isEqualTo(Step.REPAIR);
    s.attempted();
    assertThat(s.afterInvalidOutput(1).step()).isEqualTo(Step.FALL_BACK);
    assertThat(s.target()).isEqualTo(1);
    s.attempted();
    assertThat(s.afterInvalidOutput(1).step())
        .as("repairs count per target")
        .isEqualTo(Step.REPAIR);
  }

  @Test
  void invalidOutputWithoutThatTriggerEndsTheRequest() {
    RetryState s = state(2, 5, EnumSet.of(FallbackTrigger.SERVER_ERROR));
    s.attempted();
    assertThat(s.afterInvalidOutput(0).step()).isEqualTo(Step.STOP);
  }

  @Test
  void aRefusalFallsBackOnlyWhenTheRouteFallsBackOnUnavailable() {
    assertThat(state(2, 3, ALL).afterRefusal().step()).isEqualTo(Step.FALL_BACK);
    assertThat(state(2, 3, EnumSet.of(FallbackTrigger.TIMEOUT)).afterRefusal().step())
        .isEqualTo(Step.STOP);
  }

  @Test
  void movingPastTheLastTargetLeavesNone() {
    RetryState s = state(1, 3, ALL);
    assertThat(s.hasTarget()).isTrue();
    s.afterRefusal();
    assertThat(s.hasTarget()).isFalse();
  }

  @Test
  void aSpillOverMovesToTheLaterTargetWithoutSpendingAnAttemptWhateverFallbackOnSays() {
    RetryState s = state(3, 1, EnumSet.noneOf(FallbackTrigger.class));
    s.spillTo(2);
    assertThat(s.target()).isEqualTo(2);
    assertThat(s.hasAttemptLeft()).isTrue();
    assertThat(s.hasTarget()).isTrue();
  }

  @Test
  void aSpillOverGoesOnlyForward() {
    RetryState s = state(3, 3, ALL);
    s.spillTo(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.spillTo(1))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.spillTo(4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void timeHeldForAColdTargetMovesTheDeadlineOn() {
    RetryState s = state(1, 3, ALL);
    assertThat(s.outOfTime(NOW + TEN_SECONDS)).isTrue();
    s.held(TimeUnit.SECONDS.toNanos(5));
    assertThat(s.deadline()).isEqualTo(NOW + TEN_SECONDS + TimeUnit.SECONDS.toNanos(5));
    assertThat(s.outOfTime(NOW + TEN_SECONDS)).isFalse();
    s.held(-1); // never earlier
    assertThat(s.deadline()).isEqualTo(NOW + TEN_SECONDS + TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void aRefusedConnectionToAColdTargetGivesItsAttemptBack() {
    RetryState s = state(1, 1, ALL);
    s.attempted();
    assertThat(s.hasAttemptLeft()).isFalse();
    s.refund();
    assertThat(s.hasAttemptLeft()).isTrue();
  }
}
