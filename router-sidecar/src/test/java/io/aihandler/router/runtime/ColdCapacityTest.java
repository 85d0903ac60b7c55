package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Capacity;
import io.aihandler.router.config.CapacityState;
import io.aihandler.router.config.Provider;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.metrics.RouterMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Capacity states, what is learnt from probes and refused connections, and the bounded holds. */
class ColdCapacityTest {

  private final RouterMetrics metrics = new RouterMetrics();
  private final AtomicBoolean healthy = new AtomicBoolean();
  private final AtomicInteger probes = new AtomicInteger();
  private final ColdCapacity cold =
      new ColdCapacity(
          metrics,
          b -> {
            probes.incrementAndGet();
            return healthy.get();
          },
          new ActivationClient(metrics),
          Duration.ofMillis(20));

  @AfterEach
  void close() {
    cold.close();
  }

  static Backend vllm(CapacityState state) {
    return new Backend(
        "llama",
        Provider.VLLM,
        "http://127.0.0.1:1/v1",
        "llama",
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        state == null ? null : new Capacity(state, "ml/llama"));
  }

  private static RouterConfig config(Backend b) {
    return new RouterConfig(null, List.of(b), null, null, null, null, null);
  }

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  @Test
  void aBackendWithoutCapacityIsAlwaysReadyAndNeverHeld() {
    Backend hosted = vllm(null);
    assertThat(cold.ready(hosted)).isTrue();
    assertThat(cold.hold(hosted, 1, in(Duration.ofSeconds(5)), Duration.ofSeconds(1), null))
        .isEqualTo(ColdCapacity.Outcome.READY);
    cold.lost(hosted); // a hosted backend's refusal is an ordinary failure
    assertThat(cold.ready(hosted)).isTrue();
    cold.configure(config(hosted));
    assertThat(metrics.scrape()).doesNotContain("aihandler_held_requests{backend=\"llama\"}");
  }

  @Test
  void theConfigsStateCountsUntilTheSidecarLearnsBetter() {
    Backend b = vllm(CapacityState.READY);
    cold.configure(config(b));
    assertThat(cold.state(b)).isEqualTo(CapacityState.READY);

    cold.lost(b);
    assertThat(cold.state(b)).isEqualTo(CapacityState.STARTING);
    // The same config applied again (another backend changed) does not forget it.
    cold.configure(config(b));
    assertThat(cold.state(b)).isEqualTo(CapacityState.STARTING);
    // The operator's next word on this backend does.
    cold.configure(config(vllm(CapacityState.STARTING)));
    assertThat(cold.state(b)).isEqualTo(CapacityState.STARTING);
    cold.configure(config(vllm(CapacityState.READY)));
    assertThat(cold.state(b)).isEqualTo(CapacityState.READY);
  }

  @Test
  void aHeldRequestIsReleasedByAConfigThatSaysReady() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    cold.configure(config(b));
    CompletableFuture<ColdCapacity.Outcome> held =
        async(() -> cold.hold(b, 4, in(Duration.ofSeconds(10)), Duration.ofSeconds(10), null));
    awaitHeld(1);
    assertThat(metrics.scrape()).contains("aihandler_held_requests{backend=\"llama\"} 1.0");

    cold.configure(config(vllm(CapacityState.READY)));

    assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(ColdCapacity.Outcome.READY);
    assertThat(cold.held("llama")).isZero();
    assertThat(metrics.scrape())
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"served\"} 1.0")
        .contains("aihandler_held_requests{backend=\"llama\"} 0.0");
  }

  @Test
  void aHeldRequestIsReleasedByAPassingProbeBeforeTheConfigSaysSo() throws Exception {
    Backend b = vllm(CapacityState.STARTING);
    cold.configure(config(b));
    CompletableFuture<ColdCapacity.Outcome> held =
        async(() -> cold.hold(b, 4, in(Duration.ofSeconds(10)), Duration.ofSeconds(10), null));
    awaitHeld(1);
    int before = probes.get();
    Thread.sleep(100);
    assertThat(probes.get()).as("probed while held").isGreaterThan(before);
    assertThat(held).isNotDone();

    healthy.set(true);

    assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(ColdCapacity.Outcome.READY);
    assertThat(cold.state(b)).isEqualTo(CapacityState.READY);
  }

  @Test
  void probesRunOnlyWhileSomethingIsHeld() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    cold.configure(config(b));
    Thread.sleep(100);
    assertThat(probes.get()).isZero();
    assertThat(cold.hold(b, 4, in(Duration.ofMillis(100)), Duration.ofSeconds(10), null))
        .isEqualTo(ColdCapacity.Outcome.TIMEOUT);
    Thread.sleep(60); // a tick under way may still finish
    int after = probes.get();
    assertThat(after).isPositive();
    Thread.sleep(200);
    assertThat(probes.get()).isEqualTo(after);
  }

  @Test
  void aHoldEndsAtItsTimeAndIsCounted() {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    long started = System.nanoTime();
    assertThat(cold.hold(b, 4, in(Duration.ofMillis(150)), Duration.ofSeconds(10), null))
        .isEqualTo(ColdCapacity.Outcome.TIMEOUT);
    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(150_000_000L);
    assertThat(metrics.scrape())
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"timeout\"} 1.0");
  }

  @Test
  void noMoreThanMaxHeldAreHeldForOneBackend() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    cold.configure(config(b));
    List<CompletableFuture<ColdCapacity.Outcome>> held =
        List.of(
            async(() -> cold.hold(b, 2, in(Duration.ofSeconds(10)), Duration.ofSeconds(10), null)),
            async(() -> cold.hold(b, 2, in(Duration.ofSeconds(10)), Duration.ofSeconds(10), null)));
    awaitHeld(2);

    assertThat(cold.hold(b, 2, in(Duration.ofSeconds(10)), Duration.ofSeconds(10), null))
        .isEqualTo(ColdCapacity.Outcome.FULL);
    assertThat(cold.held("llama")).isEqualTo(2);

    cold.configure(config(vllm(CapacityState.READY)));
    for (CompletableFuture<ColdCapacity.Outcome> h : held) {
      assertThat(h.get(5, TimeUnit.SECONDS)).isEqualTo(ColdCapacity.Outcome.READY);
    }
    assertThat(metrics.scrape())
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"rejected_full\"} 1.0");
  }

  @Test
  void keepAlivesAreSentEveryIntervalAndAClientThatLeftFreesItsSlot() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    AtomicInteger sent = new AtomicInteger();
    ColdCapacity.KeepAlive keepAlive =
        () -> {
          if (sent.incrementAndGet() == 3) {
            throw new IOException("the client closed the connection");
          }
        };
    long started = System.nanoTime();
    assertThat(cold.hold(b, 1, in(Duration.ofSeconds(10)), Duration.ofMillis(50), keepAlive))
        .isEqualTo(ColdCapacity.Outcome.CANCELLED);
    assertThat(sent.get()).isEqualTo(3);
    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(150_000_000L);
    assertThat(cold.held("llama")).isZero();
    assertThat(metrics.scrape())
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"cancelled\"} 1.0");
    // The slot is free again: the next request is held, not refused.
    assertThat(cold.hold(b, 1, in(Duration.ofMillis(30)), Duration.ofSeconds(10), null))
        .isEqualTo(ColdCapacity.Outcome.TIMEOUT);
  }

  /** A client whose leaving a test decides, and what the hold asked of it. */
  private static final class Client implements ColdCapacity.ClientWatch {
    final AtomicBoolean gone = new AtomicBoolean();
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger stopped = new AtomicInteger();

    @Override
    public void start() {
      started.incrementAndGet();
    }

    @Override
    public boolean gone() {
      return gone.get();
    }

    @Override
    public void stop() {
      stopped.incrementAndGet();
    }
  }

  @Test
  void aHeldRequestWhoseClientLeavesEndsAtOnceAndFreesItsPlace() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    cold.configure(config(b));
    Client client = new Client();
    CompletableFuture<ColdCapacity.Outcome> held =
        async(
            () ->
                cold.hold(b, 1, in(Duration.ofSeconds(30)), Duration.ofSeconds(30), null, client));
    awaitHeld(1);
    assertThat(client.started.get()).isEqualTo(1);
    assertThat(cold.hold(b, 1, in(Duration.ofSeconds(30)), Duration.ofSeconds(30), null))
        .isEqualTo(ColdCapacity.Outcome.FULL);

    long left = System.nanoTime();
    client.gone.set(true);

    assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(ColdCapacity.Outcome.CANCELLED);
    assertThat(System.nanoTime() - left)
        .as("noticed within a check interval, not at the hold's end")
        .isLessThan(ColdCapacity.CLIENT_CHECK_INTERVAL.toNanos() + TimeUnit.SECONDS.toNanos(1));
    assertThat(client.stopped.get()).isEqualTo(1);
    assertThat(cold.held("llama")).isZero();
    assertThat(metrics.scrape())
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"cancelled\"} 1.0");
    assertThat(cold.hold(b, 1, in(Duration.ofMillis(30)), Duration.ofSeconds(10), null))
        .as("the place is free again")
        .isEqualTo(ColdCapacity.Outcome.TIMEOUT);
  }

  @Test
  void aClientThatLeftIsNotServedWhenTheBackendComesUpAtTheSameTime() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    cold.configure(config(b));
    Client client = new Client();
    CompletableFuture<ColdCapacity.Outcome> held =
        async(
            () ->
                cold.hold(b, 1, in(Duration.ofSeconds(30)), Duration.ofSeconds(30), null, client));
    awaitHeld(1);
    client.gone.set(true);
    cold.configure(config(vllm(CapacityState.READY)));
    assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(ColdCapacity.Outcome.CANCELLED);
  }

  @Test
  void theSoonestHoldEndIsThatOfTheFirstHeldRequestToRunOut() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    cold.configure(config(b));
    assertThat(cold.soonestHoldEnd(b)).isEmpty();
    long soon = in(Duration.ofSeconds(20));
    long late = in(Duration.ofSeconds(40));
    List<CompletableFuture<ColdCapacity.Outcome>> held =
        List.of(
            async(() -> cold.hold(b, 4, late, Duration.ofSeconds(30), null)),
            async(() -> cold.hold(b, 4, soon, Duration.ofSeconds(30), null)),
            async(() -> cold.hold(b, 4, soon, Duration.ofSeconds(30), null)));
    awaitHeld(3);

    assertThat(cold.soonestHoldEnd(b)).hasValue(soon);
    assertThat(cold.probeInterval()).isEqualTo(Duration.ofMillis(20));

    cold.configure(config(vllm(CapacityState.READY)));
    for (CompletableFuture<ColdCapacity.Outcome> h : held) {
      h.get(5, TimeUnit.SECONDS);
    }
    assertThat(cold.soonestHoldEnd(b)).isEmpty();
  }

  @Test
  void anInterruptedHoldEndsAtOnce() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    CompletableFuture<ColdCapacity.Outcome> outcome = new CompletableFuture<>();
    Thread t =
        Thread.ofVirtual()
            .start(
                () ->
                    outcome.complete(
                        cold.hold(b, 1, in(Duration.ofSeconds(30)), Duration.ofSeconds(30), null)));
    awaitHeld(1);
    t.interrupt();
    assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(ColdCapacity.Outcome.INTERRUPTED);
    assertThat(cold.held("llama")).isZero();
  }

  @Test
  void aBackendTakenOutOfTheConfigLetsItsHeldRequestsGo() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    cold.configure(config(b));
    CompletableFuture<ColdCapacity.Outcome> held =
        async(() -> cold.hold(b, 4, in(Duration.ofSeconds(10)), Duration.ofSeconds(10), null));
    awaitHeld(1);
    cold.configure(new RouterConfig(null, List.of(), null, null, null, null, null));
    assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(ColdCapacity.Outcome.READY);
  }

  @Test
  void aBackendThatRefusedIsProbedWithNothingHeldUntilItAnswers() throws Exception {
    Backend b = vllm(CapacityState.READY);
    cold.configure(config(b));
    cold.lost(b);
    assertThat(cold.ready(b)).isFalse();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (probes.get() < 3 && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(probes.get()).as("probed with nothing held").isGreaterThanOrEqualTo(3);

    healthy.set(true);
    while (!cold.ready(b) && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(cold.ready(b)).isTrue();
    Thread.sleep(60);
    int after = probes.get();
    Thread.sleep(200);
    assertThat(probes.get()).as("no more probes once ready").isEqualTo(after);
  }

  @Test
  void stoppingLetsEveryHeldRequestGoAndHoldsNoMore() throws Exception {
    Backend b = vllm(CapacityState.SCALED_TO_ZERO);
    CompletableFuture<ColdCapacity.Outcome> held =
        async(() -> cold.hold(b, 4, in(Duration.ofSeconds(30)), Duration.ofSeconds(30), null));
    awaitHeld(1);

    cold.stop();

    assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(ColdCapacity.Outcome.INTERRUPTED);
    assertThat(cold.hold(b, 4, in(Duration.ofSeconds(30)), Duration.ofSeconds(30), null))
        .isEqualTo(ColdCapacity.Outcome.INTERRUPTED);
    assertThat(cold.held("llama")).isZero();
  }

  private static CompletableFuture<ColdCapacity.Outcome> async(
      java.util.function.Supplier<ColdCapacity.Outcome> hold) {
    CompletableFuture<ColdCapacity.Outcome> f = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> f.complete(hold.get()));
    return f;
  }

  private void awaitHeld(int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (cold.held("llama") < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not held: " + cold.held("llama"));
      }
      Thread.sleep(5);
    }
  }
}
