package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.CapacityState;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.runtime.ActivationClient;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.ColdCapacity;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One request's cold path before each attempt: spill over, hold within its bounds, or attempt. */
class ColdGateTest {

  private final RouterMetrics metrics = new RouterMetrics();
  private final ColdCapacity cold =
      new ColdCapacity(metrics, b -> false, new ActivationClient(metrics), Duration.ofSeconds(1));
  private final CallRecord record = new CallRecord();

  @AfterEach
  void close() {
    cold.close();
  }

  private static RouterConfig config(String state, String maxHeld, String route) throws Exception {
    return RouterConfigLoader.parse(
        """
        sidecar: {maxHeldRequests: %s}
        backends:
          - {name: llama, provider: vllm, baseUrl: "http://127.0.0.1:1/v1", model: llama,
             capacity: {state: %s, modelBackend: ml/llama}}
          - {name: gpt, provider: openai-compatible, baseUrl: "http://127.0.0.1:2/v1", model: g,
             locality: external, pricing: {inputPerMillionTokens: 1, outputPerMillionTokens: 1}}
        routes:
          - {name: main, targets: [{backend: llama}, {backend: gpt}], %s}
        """
            .formatted(maxHeld, state, route),
        "gate.yaml");
  }

  private static List<BackendRuntime> order(RouterConfig c) {
    return c.backends().stream()
        .map(b -> new BackendRuntime(b, null, null, null, null, null, null))
        .toList();
  }

  /** A held stream whose client is gone at the first keep-alive, or one that never sends any. */
  private static HeldStream stream(boolean gone) {
    return new HeldStream(
        new ChunkSink() {
          @Override
          public void begin() {}

          @Override
          public void chunk(ObjectNode chunk) {}

          @Override
          public void done() {}

          @Override
          public void error(ApiException error) {}

          @Override
          public void keepAlive() throws IOException {
            if (gone) {
              throw new IOException("the client closed the connection");
            }
          }
        });
  }

  /** Always draws the lowest value, or always the highest. */
  private static RandomGenerator drawing(boolean highest) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public long nextLong(long bound) {
        return highest ? bound - 1 : 0;
      }
    };
  }

  private ColdGate gate(RouterConfig c, HeldStream keepAlive) {
    return gate(c, keepAlive, drawing(false));
  }

  private ColdGate gate(RouterConfig c, HeldStream keepAlive, RandomGenerator random) {
    RoutedCall call =
        new RoutedCall(
            "chat",
            "main",
            null,
            c.route("main").orElseThrow(),
            JsonNodeFactory.instance.objectNode(),
            null,
            null,
            0,
            null,
            Duration.ofSeconds(30),
            false);
    return new ColdGate(cold, metrics, call, record, c.sidecar(), keepAlive, random);
  }

  private static RetryState state(int targets, long deadline) {
    return new RetryState(
        targets,
        3,
        EnumSet.allOf(io.aihandler.router.config.FallbackTrigger.class),
        IntervalFunction.of(10),
        Duration.ofSeconds(1),
        deadline);
  }

  @Test
  void aReadyTargetIsAttempted() throws Exception {
    RouterConfig c = config("ready", "4", "spillOver: true");
    RetryState s = state(2, System.nanoTime() + 1_000_000_000L);
    assertThat(gate(c, null).before(order(c), s)).isEqualTo(ColdGate.Turn.ATTEMPT);
    assertThat(s.target()).isZero();
  }

  @Test
  void aColdTargetIsSpiltOverFromCountedAndItsCostCountedWhenServed() throws Exception {
    RouterConfig c = config("scaled-to-zero", "4", "spillOver: true");
    List<BackendRuntime> order = order(c);
    RetryState s = state(2, System.nanoTime() + 1_000_000_000L);
    ColdGate g = gate(c, null);

    assertThat(g.before(order, s)).isEqualTo(ColdGate.Turn.MOVED);
    assertThat(s.target()).isEqualTo(1);
    assertThat(g.before(order, s)).isEqualTo(ColdGate.Turn.ATTEMPT);
    record.cost = 0.25;
    g.answered(order.get(1));

    assertThat(record.failures())
        .containsExactly("llama: no ready replica (scaled-to-zero), spilt over");
    assertThat(metrics.scrape())
        .contains(
            "aihandler_spillovers_total{from=\"llama\",reason=\"scaled_to_zero\",route=\"main\",to=\"gpt\"} 1.0")
        .contains(
            "aihandler_spillover_cost_usd_total{from=\"llama\",route=\"main\",to=\"gpt\"} 0.25");
  }

  @Test
  void aRequestThatWasNotSpiltCountsNoSpillOverCost() throws Exception {
    RouterConfig c = config("ready", "4", "spillOver: true");
    ColdGate g = gate(c, null);
    g.answered(order(c).get(0));
    assertThat(metrics.scrape()).doesNotContain("aihandler_spillover_cost_usd_total{");
  }

  @Test
  void aFullHoldIsRefusedAt503WithNothingHeld() throws Exception {
    RouterConfig c = config("starting", "0", "spillOver: false");
    RetryState s = state(2, System.nanoTime() + 1_000_000_000L);
    assertThatThrownBy(() -> gate(c, null).before(order(c), s))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.code()).isEqualTo("hold_queue_full");
              assertThat(e.getMessage()).contains("backend llama").contains("starting");
            });
    assertThat(record.outcome()).isEqualTo(Outcome.UNAVAILABLE);
  }

  @Test
  void aHoldThatRunsOutIs503NamingTheBackendAndMovesTheDeadlineOn() throws Exception {
    RouterConfig c = config("scaled-to-zero", "4", "spillOver: false, coldStartTimeout: 80ms");
    long deadline = System.nanoTime() + 1_000_000_000L;
    RetryState s = state(2, deadline);
    ColdGate g = gate(c, null);
    assertThatThrownBy(() -> g.before(order(c), s))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.code()).isEqualTo("cold_start_timeout");
              assertThat(e.getMessage())
                  .contains("backend llama")
                  .contains("scaled-to-zero")
                  .contains("coldStartTimeout 80ms");
            });
    assertThat(s.deadline() - deadline).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(80));
    // The budget is the request's, over all its holds: a second hold runs out at once.
    long started = System.nanoTime();
    assertThatThrownBy(() -> g.before(order(c), s)).isInstanceOf(ApiException.class);
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(60));
  }

  @Test
  void aHeldStreamWhoseClientLeftEndsAsClientGone() throws Exception {
    RouterConfig c =
        RouterConfigLoader.parse(
            """
            sidecar: {holdKeepAliveInterval: 20ms}
            backends:
              - {name: llama, provider: vllm, baseUrl: "http://127.0.0.1:1/v1", model: llama,
                 capacity: {state: scaled-to-zero, modelBackend: ml/llama}}
            routes:
              - {name: main, targets: [{backend: llama}]}
            """,
            "gate.yaml");
    RetryState s = state(1, System.nanoTime() + 1_000_000_000L);
    assertThat(gate(c, stream(true)).before(order(c), s)).isEqualTo(ColdGate.Turn.CLIENT_GONE);
    assertThat(record.outcome()).isEqualTo(Outcome.CLIENT_CLOSED);
  }

  @Test
  void aHeldRequestWhoseClientLeftBeforeAnyWordIsEndedWithNothingSent() throws Exception {
    RouterConfig c = config("scaled-to-zero", "4", "spillOver: false, coldStartTimeout: 30s");
    List<BackendRuntime> order = order(c);
    AtomicBoolean gone = new AtomicBoolean();
    record.client(
        new ColdCapacity.ClientWatch() {
          @Override
          public void start() {
            gone.set(true); // the client leaves as soon as it is held
          }

          @Override
          public boolean gone() {
            return gone.get();
          }

          @Override
          public void stop() {}
        });
    long started = System.nanoTime();

    // Non-streaming, and a stream whose first keep-alive is not due yet: neither was answered.
    assertThatThrownBy(() -> gate(c, null).before(order, state(2, started + 1_000_000_000L)))
        .isInstanceOf(ClientLeftException.class);
    assertThatThrownBy(
            () -> gate(c, stream(false)).before(order, state(2, started + 1_000_000_000L)))
        .isInstanceOf(ClientLeftException.class);

    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(2));
    assertThat(record.outcome()).isEqualTo(Outcome.CLIENT_CLOSED);
    assertThat(cold.held("llama")).isZero();
    assertThat(metrics.scrape())
        .contains("aihandler_holds_total{backend=\"llama\",outcome=\"cancelled\"} 2.0");
  }

  @Test
  void aFullHoldSaysToComeBackAfterTheNextProbeSpreadOverOneProbeInterval() throws Exception {
    // The gate's capacity probes every second.
    RouterConfig c = config("starting", "0", "spillOver: false");
    assertThat(retryAfter(() -> gate(c, null, drawing(false)).before(order(c), state(2, soon()))))
        .isEqualTo(1);
    assertThat(retryAfter(() -> gate(c, null, drawing(true)).before(order(c), state(2, soon()))))
        .isEqualTo(2);
  }

  @Test
  void aHoldThatRunsOutSaysToComeBackSpreadOverAWindow() throws Exception {
    RouterConfig c = config("scaled-to-zero", "4", "spillOver: false, coldStartTimeout: 50ms");
    assertThat(retryAfter(() -> gate(c, null, drawing(false)).before(order(c), state(2, soon()))))
        .isEqualTo(1);
    assertThat(retryAfter(() -> gate(c, null, drawing(true)).before(order(c), state(2, soon()))))
        .isEqualTo(2);
  }

  private static long soon() {
    return System.nanoTime() + 1_000_000_000L;
  }

  private static long retryAfter(org.assertj.core.api.ThrowableAssert.ThrowingCallable gate) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(gate);
    assertThat(t).isInstanceOf(ApiException.class);
    return ((ApiException) t).retryAfterSeconds();
  }

  @Test
  void aRefusedConnectionMakesTheBackendStartingAndGivesTheAttemptBack() throws Exception {
    RouterConfig c = config("ready", "4", "spillOver: true");
    List<BackendRuntime> order = order(c);
    RetryState s = state(2, System.nanoTime() + 1_000_000_000L);
    ColdGate g = gate(c, null);
    s.attempted();
    s.attempted();
    s.attempted();

    assertThat(g.refused(order.get(0), Failures.connectionRefused(order.get(0)), s)).isTrue();
    assertThat(s.hasAttemptLeft()).isTrue();
    assertThat(cold.state(order.get(0).config())).isEqualTo(CapacityState.STARTING);
    assertThat(g.before(order, s)).isEqualTo(ColdGate.Turn.MOVED);

    AttemptResult.Failed other =
        new AttemptResult.Failed(
            new UpstreamError(502, UpstreamError.Kind.SERVER_ERROR, "server_error", "x", "m", null),
            io.aihandler.router.config.FallbackTrigger.SERVER_ERROR,
            false);
    assertThat(g.refused(order.get(1), other, s)).isFalse();
  }
}
