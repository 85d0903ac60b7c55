package io.aihandler.router.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.ApiException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShadowExecutorTest {

  @Test
  void callsBeyondTheThreadsAndTheQueueAreRefusedAtOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    try (ShadowExecutor executor = new ShadowExecutor(2, 1, 1024 * 1024)) {
      Runnable hold =
          () -> {
            ran.incrementAndGet();
            try {
              release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          };
      assertThat(executor.offer(10, c -> hold.run())).isTrue();
      assertThat(executor.offer(10, c -> hold.run())).isTrue();
      assertThat(executor.offer(10, c -> hold.run())).isTrue();
      long started = System.nanoTime();
      assertThat(executor.offer(10, c -> hold.run())).isFalse();
      assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
      assertThat(executor.heldBytes()).isEqualTo(30);

      release.countDown();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (executor.heldBytes() > 0 && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(ran.get()).isEqualTo(3);
      assertThat(executor.heldBytes()).isZero();
    }
  }

  @Test
  void aCallThatDoesNotFitTheHeapIsRefusedAndOneThatOutgrowsItEndsOverloaded() throws Exception {
    try (ShadowExecutor executor = new ShadowExecutor(1, 4, 1000)) {
      assertThat(executor.offer(1001, c -> {})).isFalse();

      CountDownLatch done = new CountDownLatch(1);
      AtomicInteger failures = new AtomicInteger();
      assertThat(
              executor.offer(
                  600,
                  c -> {
                    try {
                      c.charge(300);
                      c.charge(200);
                    } catch (ApiException e) {
                      if (e.code().equals("overloaded")) {
                        failures.incrementAndGet();
                      }
                    } finally {
                      done.countDown();
                    }
                  }))
          .isTrue();
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(failures.get()).isEqualTo(1);
    }
  }

  @Test
  void zeroConcurrencyTurnsShadowsOff() {
    try (ShadowExecutor executor = new ShadowExecutor(0, 8, 1024)) {
      assertThat(executor.offer(1, c -> {})).isFalse();
      assertThat(executor.heldBytes()).isZero();
    }
  }
}
