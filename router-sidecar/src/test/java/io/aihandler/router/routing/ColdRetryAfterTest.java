package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Retry-After of the cold path's 503s: when something can have changed, spread at random. */
class ColdRetryAfterTest {

  private static final Duration PROBE = Duration.ofSeconds(2);

  private static Set<Long> drawn(java.util.function.LongSupplier value) {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      seen.add(value.getAsLong());
    }
    return seen;
  }

  @Test
  void aFullQueueSendsClientsBackAfterTheNextProbeSpreadOverOneProbeInterval() {
    Random random = new Random(7);
    assertThat(drawn(() -> ColdRetryAfter.holdQueueFull(PROBE, Duration.ofMinutes(9), random)))
        .containsExactlyInAnyOrder(2L, 3L, 4L);
    assertThat(drawn(() -> ColdRetryAfter.holdQueueFull(PROBE, null, random)))
        .containsExactlyInAnyOrder(2L, 3L, 4L);
  }

  @Test
  void aFullQueueWhoseFirstHoldEndsBeforeTheNextProbeSendsClientsBackThen() {
    Random random = new Random(7);
    assertThat(drawn(() -> ColdRetryAfter.holdQueueFull(PROBE, Duration.ofMillis(300), random)))
        .containsExactlyInAnyOrder(1L, 2L, 3L);
    // A hold that should have ended already (it is about to): at least a second.
    assertThat(drawn(() -> ColdRetryAfter.holdQueueFull(PROBE, Duration.ofMillis(-5), random)))
        .allMatch(s -> s >= 1 && s <= 4);
  }

  @Test
  void aHoldThatRanOutSpreadsClientsOverATenthOfTheColdStartTimeout() {
    Random random = new Random(7);
    Set<Long> afterTenMinutes =
        drawn(() -> ColdRetryAfter.coldStartTimeout(PROBE, Duration.ofMinutes(10), random));
    assertThat(afterTenMinutes).allMatch(s -> s >= 2 && s <= ColdRetryAfter.MAX_SECONDS);
    assertThat(afterTenMinutes).as("every second of the window").hasSize(59);

    Set<Long> afterTwoMinutes =
        drawn(() -> ColdRetryAfter.coldStartTimeout(PROBE, Duration.ofMinutes(2), random));
    assertThat(afterTwoMinutes).allMatch(s -> s >= 2 && s <= 14).hasSize(13);

    // A short hold still spreads over one probe interval.
    assertThat(drawn(() -> ColdRetryAfter.coldStartTimeout(PROBE, Duration.ofSeconds(2), random)))
        .containsExactlyInAnyOrder(2L, 3L, 4L);
  }

  @Test
  void neverMoreThanTheSdksHonourNorLessThanASecond() {
    Random random = new Random(7);
    assertThat(
            drawn(
                () ->
                    ColdRetryAfter.coldStartTimeout(
                        Duration.ofSeconds(90), Duration.ofHours(1), random)))
        .containsExactly(ColdRetryAfter.MAX_SECONDS);
    assertThat(
            drawn(
                () ->
                    ColdRetryAfter.holdQueueFull(
                        Duration.ofMillis(10), Duration.ofMillis(1), random)))
        .allMatch(s -> s >= 1 && s <= 2);
  }
}
