package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.routing.StreamWatch.Limit;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The timer that bounds a stream's reads and writes. */
class StreamWatchTest {

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final BiFunction<Duration, Runnable, ScheduledFuture<?>> scheduler =
      (delay, task) -> timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);

  @AfterEach
  void stop() {
    timers.shutdownNow();
  }

  private static long in(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void aReadThatOutlastsItsLimitClosesTheBody() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    Closeable body = () -> closed.set(true);
    try (StreamWatch watch = new StreamWatch(scheduler, body)) {
      watch.reading(in(50), Limit.STREAM_IDLE);
      Thread.sleep(200);
      assertThat(closed).isTrue();
      assertThat(watch.settle()).isEqualTo(Limit.STREAM_IDLE);
    }
  }

  @Test
  void aReadInTimeStrikesNothing() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    try (StreamWatch watch = new StreamWatch(scheduler, () -> closed.set(true))) {
      watch.reading(in(200), Limit.REQUEST);
      assertThat(watch.settle()).isNull();
      Thread.sleep(300); // the timer fires with nothing waiting
      assertThat(closed).isFalse();
    }
  }

  @Test
  void aWriteBlockedOnAClientThatStopsReadingIsCutAtItsLimit() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.connect(server.getLocalSocketAddress());
      try (Socket accepted = server.accept()) {
        CompletableFuture<Object[]> outcome = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> outcome.complete(writeUntilBlocked(accepted)));

        Object[] r = outcome.get(5, TimeUnit.SECONDS);
        assertThat(r[0]).as("the write failed").isInstanceOf(IOException.class);
        assertThat(r[1]).isEqualTo(Limit.STREAM_IDLE);
        assertThat((long) r[2]).as("ms until cut").isBetween(150L, 2_000L);
        assertThat(r[3]).as("the interrupt was cleared").isEqualTo(false);
        assertThat(accepted.isClosed()).as("the socket was closed").isTrue();
      }
    }
  }

  /** Writes until the socket blocks, under a 200 ms watch: {exception, limit, ms, interrupted}. */
  private Object[] writeUntilBlocked(Socket s) {
    long started = System.nanoTime();
    try (StreamWatch watch = new StreamWatch(scheduler, null)) {
      watch.writing(in(200), Limit.STREAM_IDLE);
      IOException failure = null;
      try {
        OutputStream out = s.getOutputStream();
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < 10_000; i++) {
          out.write(block);
        }
      } catch (IOException e) {
        failure = e;
      }
      Limit struck = watch.settle();
      return new Object[] {
        failure,
        struck,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        Thread.currentThread().isInterrupted()
      };
    }
  }

  @Test
  void aTimerArmedForAReadDoesNotCutAWriteThatStillHasTime() throws Exception {
    try (StreamWatch watch = new StreamWatch(scheduler, () -> {})) {
      watch.reading(in(50), Limit.STREAM_IDLE);
      assertThat(watch.settle()).isNull();
      watch.writing(in(400), Limit.STREAM_IDLE);
      Thread.sleep(150); // the read's timer fires now, mid-write
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
      assertThat(watch.settle()).isNull();
    }
    Thread.sleep(400);
    assertThat(Thread.interrupted()).as("no interrupt after the watch is closed").isFalse();
  }

  @Test
  void readsThatKeepComingArmOneTimer() {
    java.util.concurrent.atomic.AtomicInteger armed =
        new java.util.concurrent.atomic.AtomicInteger();
    BiFunction<Duration, Runnable, ScheduledFuture<?>> counting =
        (delay, task) -> {
          armed.incrementAndGet();
          return scheduler.apply(delay, task);
        };
    try (StreamWatch watch = new StreamWatch(counting, () -> {})) {
      for (int event = 0; event < 100; event++) {
        watch.reading(in(5_000 + event), Limit.STREAM_IDLE);
        assertThat(watch.settle()).isNull();
        watch.writing(in(5_000 + event), Limit.STREAM_IDLE);
        assertThat(watch.settle()).isNull();
      }
    }
    assertThat(armed).hasValue(1);
  }

  @Test
  void aTimerArmedForAnEarlierReadLetsALaterOneRunToItsOwnLimit() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    try (StreamWatch watch = new StreamWatch(scheduler, () -> closed.set(true))) {
      watch.reading(in(50), Limit.FIRST_TOKEN);
      assertThat(watch.settle()).isNull();
      watch.reading(in(400), Limit.STREAM_IDLE);
      Thread.sleep(200); // the first read's timer has struck: it re-armed for this read
      assertThat(closed).isFalse();
      Thread.sleep(500);
      assertThat(closed).as("cut at its own limit").isTrue();
      assertThat(watch.settle()).isEqualTo(Limit.STREAM_IDLE);
    }
  }

  @Test
  void aReadThatMustEndSoonerThanTheArmedTimerIsCutInTime() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    try (StreamWatch watch = new StreamWatch(scheduler, () -> closed.set(true))) {
      watch.reading(in(10_000), Limit.STREAM_IDLE);
      assertThat(watch.settle()).isNull();
      watch.reading(in(50), Limit.REQUEST);
      Thread.sleep(300);
      assertThat(closed).isTrue();
      assertThat(watch.settle()).isEqualTo(Limit.REQUEST);
    }
  }
}
