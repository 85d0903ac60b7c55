package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.testing.LogCapture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimerTaskGuardTest {

  @Test
  void aTaskThatThrowsIsLoggedAndCountedAndTheTimerRunsOn() throws Exception {
    RouterMetrics metrics = new RouterMetrics();
    TimerTaskGuard guard = new TimerTaskGuard("server-timer", metrics::backgroundTaskFailure);
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    AtomicInteger later = new AtomicInteger();
    try (LogCapture log = new LogCapture()) {
      timer
          .schedule(
              guard.guard(
                  () -> {
                    throw new StackOverflowError("deep");
                  }),
              1,
              TimeUnit.MILLISECONDS)
          .get(2, TimeUnit.SECONDS);
      timer
          .schedule(guard.guard(later::incrementAndGet), 1, TimeUnit.MILLISECONDS)
          .get(2, TimeUnit.SECONDS);
      assertThat(log.awaitLine(l -> l.contains("timer server-timer failed")))
          .contains("StackOverflowError");
    } finally {
      timer.shutdownNow();
    }
    assertThat(later.get()).isEqualTo(1);
    assertThat(metrics.scrape())
        .contains("aihandler_background_task_failures_total{task=\"server-timer\"} 1.0");
  }

  @Test
  void outOfMemoryIsPassedOnForTheLaunchersExit() {
    TimerTaskGuard guard = TimerTaskGuard.loggingOnly("t");
    assertThatThrownBy(
            () ->
                guard
                    .guard(
                        () -> {
                          throw new OutOfMemoryError("heap");
                        })
                    .run())
        .isInstanceOf(OutOfMemoryError.class);
  }
}
