package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bucket behind {@code limits.requestsPerMinute}, on a clock the test moves. */
class RequestRateTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void admitsAMinutesRequestsThenRefuses() {
    BackendRuntime.RequestRate rate = new BackendRuntime.RequestRate(3, 0);

    assertThat(rate.tryTake(0)).isTrue();
    assertThat(rate.tryTake(0)).isTrue();
    assertThat(rate.tryTake(SECOND)).isTrue();
    assertThat(rate.tryTake(2 * SECOND)).isFalse();
  }

  @Test
  void noRunOfRequestsExceedsTheLimitWithinAMinuteWhereverItFallsOnTheClock() {
    // A fixed window starting at each minute let one request at 59.9 s and another at 60.1 s
    // through a limit of one.
    long justBeforeTheMinute = 59 * SECOND + 900_000_000L;
    BackendRuntime.RequestRate rate = new BackendRuntime.RequestRate(1, 0);

    assertThat(rate.tryTake(justBeforeTheMinute)).isTrue();
    assertThat(rate.tryTake(justBeforeTheMinute + SECOND / 5)).isFalse();
    assertThat(rate.tryTake(justBeforeTheMinute + 59 * SECOND)).isFalse();
    assertThat(rate.tryTake(justBeforeTheMinute + 60 * SECOND)).isTrue();
  }

  @Test
  void refillsContinuouslyUpToOneMinutesWorth() {
    BackendRuntime.RequestRate rate = new BackendRuntime.RequestRate(60, 0);
    for (int i = 0; i < 60; i++) {
      assertThat(rate.tryTake(0)).isTrue();
    }
    assertThat(rate.tryTake(0)).isFalse();

    assertThat(rate.tryTake(SECOND)).as("one request a second comes back").isTrue();
    assertThat(rate.tryTake(SECOND)).isFalse();

    long hourLater = 3600 * SECOND;
    int admitted = 0;
    while (rate.tryTake(hourLater)) {
      admitted++;
    }
    assertThat(admitted).as("never more than a minute's requests at once").isEqualTo(60);
  }

  @Test
  void zeroIsUnlimited() {
    BackendRuntime.RequestRate rate = new BackendRuntime.RequestRate(0, 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(rate.tryTake(0)).isTrue();
    }
  }

  @Test
  void concurrentCallersTakeNoMoreThanTheLimit() throws Exception {
    BackendRuntime.RequestRate rate = new BackendRuntime.RequestRate(100, 0);
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    Thread[] callers = new Thread[8];
    for (int t = 0; t < callers.length; t++) {
      callers[t] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    for (int i = 0; i < 1_000; i++) {
                      if (rate.tryTake(0)) {
                        admitted.incrementAndGet();
                      }
                    }
                  });
    }
    go.countDown();
    for (Thread caller : callers) {
      caller.join();
    }
    assertThat(admitted.get()).isEqualTo(100);
  }
}
