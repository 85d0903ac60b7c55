package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoarseTimerTest {

  private final AtomicInteger failures = new AtomicInteger();
  private final CoarseTimer timer =
      new CoarseTimer(
          "test-timer",
          Duration.ofMillis(10),
          new TimerTaskGuard("test", t -> failures.incrementAndGet()));

  @AfterEach
  void close() {
    timer.close();
  }

  @Test
  void aDeadlineStrikesAfterItsDelayAndAtMostAboutATickLate() throws Exception {
    CountDownLatch struck = new CountDownLatch(1);
    AtomicLong at = new AtomicLong();
    long t0 = System.nanoTime();
    timer.arm(
        Duration.ofMillis(100),
        () -> {
          at.set(System.nanoTime() - t0);
          struck.countDown();
        });

    assertThat(struck.await(2, TimeUnit.SECONDS)).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(at.get())).isBetween(100L, 400L);
    assertThat(timer.armed()).isZero();
  }

  @Test
  void aCancelledDeadlineNeverRunsAndLeavesNothingArmed() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 10_000; i++) {
      CoarseTimer.Armed a = timer.arm(Duration.ofMillis(50), ran::incrementAndGet);
      assertThat(a.cancel()).isTrue();
    }
    assertThat(timer.armed()).as("cancelled deadlines are not kept until they are due").isZero();
    Thread.sleep(200);
    assertThat(ran).hasValue(0);
  }

  @Test
  void cancellingAfterTheStrikeSaysItCameTooLate() throws Exception {
    CountDownLatch struck = new CountDownLatch(1);
    CoarseTimer.Armed a = timer.arm(Duration.ofMillis(20), struck::countDown);
    assertThat(struck.await(2, TimeUnit.SECONDS)).isTrue();
    assertThat(a.cancel()).isFalse();
  }

  @Test
  void itWakesForANewDeadlineAfterSleepingWithNothingArmed() throws Exception {
    CountDownLatch first = new CountDownLatch(1);
    timer.arm(Duration.ofMillis(10), first::countDown);
    assertThat(first.await(2, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(100); // nothing armed: the sweeper sleeps
    CountDownLatch second = new CountDownLatch(1);
    long t0 = System.nanoTime();
    timer.arm(Duration.ofMillis(30), second::countDown);
    assertThat(second.await(2, TimeUnit.SECONDS)).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(500L);
  }

  @Test
  void aTaskThatThrowsIsCountedAndTheTimerLivesOn() throws Exception {
    timer.arm(
        Duration.ofMillis(10),
        () -> {
          throw new IllegalStateException("boom");
        });
    CountDownLatch after = new CountDownLatch(1);
    timer.arm(Duration.ofMillis(50), after::countDown);
    assertThat(after.await(2, TimeUnit.SECONDS)).isTrue();
    assertThat(failures).hasValue(1);
  }

  @Test
  void aClosedTimerRefusesNewDeadlines() {
    timer.close();
    assertThatThrownBy(() -> timer.arm(Duration.ofSeconds(1), () -> {}))
        .isInstanceOf(IllegalStateException.class);
  }
}
