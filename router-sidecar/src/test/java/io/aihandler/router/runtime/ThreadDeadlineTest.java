package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadDeadlineTest {

  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private ThreadDeadline start(Duration timeout) {
    return new ThreadDeadline(
        timeout, (d, task) -> timer.schedule(task, d.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Test
  void aDeadlineThatStrikesInterruptsTheWaitAndFinishClearsTheInterrupt() {
    ThreadDeadline deadline = start(Duration.ofMillis(50));
    assertThatThrownBy(() -> Thread.sleep(5_000)).isInstanceOf(InterruptedException.class);
    Thread.currentThread().interrupt(); // as a blocked socket call may leave it
    assertThat(deadline.finish()).isTrue();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void aCallThatEndsInTimeIsNeverInterrupted() throws Exception {
    ThreadDeadline deadline = start(Duration.ofMillis(100));
    assertThat(deadline.finish()).isFalse();
    Thread.sleep(200);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(timer.getQueue()).isEmpty();
  }
}
