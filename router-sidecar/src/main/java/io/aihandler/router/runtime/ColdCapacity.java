package io.aihandler.router.runtime;

import io.aihandler.router.config.Activation;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.CapacityState;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.metrics.RouterMetrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Which operator-managed in-cluster backends have a ready replica, and the requests held for those
 * that have none. Lives across config reloads, like {@link BackendHealth}.
 *
 * <p>A backend's state is the config's ({@code capacity.state}) unless the sidecar learnt better
 * since the config last changed it: a refused connection makes a ready backend {@code starting}
 * (its pods are gone), a passing health probe makes a cold one {@code ready}. The config's next
 * change of that state overrides what was learnt; so readiness comes from whichever is first, the
 * re-rendered config or the probe. Backends without {@code capacity} are always ready.
 *
 * <p>While requests are held for a backend, its health endpoint is probed every {@link
 * #probeInterval} (each probe bounded by the probe's own timeout), and the operator is asked to
 * activate it ({@link ActivationClient}, at most once per {@code minInterval}). Probing stops when
 * the last held request leaves, except for a backend taken as starting because it refused a
 * connection: no config change may come to end that, so it is probed until it answers. A held
 * request waits on the backend's condition, woken by a reload or a passing probe, with a bounded
 * number held per backend. A held request whose client leaves ends at once ({@link ClientWatch},
 * looked at every {@link #CLIENT_CHECK_INTERVAL}), freeing its place.
 */
public final class ColdCapacity implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.capacity");

  /** How often a backend with held requests is probed. */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(2);

  /** How often a held request looks whether its client is still there. */
  public static final Duration CLIENT_CHECK_INTERVAL = Duration.ofMillis(200);

  /** How a hold ended. */
  public enum Outcome {
    /** A replica is ready: send the request. */
    READY,
    /** The hold's time ran out with no replica ready. */
    TIMEOUT,
    /** As many requests as allowed are held already: refused at once. */
    FULL,
    /** The client went away while held (its connection closed, or a keep-alive failed). */
    CANCELLED,
    /** The sidecar is stopping ({@link #stop()}, or the request's thread was interrupted). */
    INTERRUPTED
  }

  /** Sends one keep-alive to a held client; an {@link IOException} means the client is gone. */
  @FunctionalInterface
  public interface KeepAlive {
    void send() throws IOException;
  }

  /**
   * Whether the client of a held request is still there. A client that closes its connection while
   * held is noticed without writing to it, so a non-streaming request leaves as soon as its client
   * does.
   */
  public interface ClientWatch {
    /** Watches nothing: the client is taken to stay. */
    ClientWatch NONE =
        new ClientWatch() {
          @Override
          public void start() {}

          @Override
          public boolean gone() {
            return false;
          }

          @Override
          public void stop() {}
        };

    /** The hold begins: the client's connection is watched for its closing. */
    void start();

    /** Whether the client is known to have left. */
    boolean gone();

    /** The hold ended: the connection is no longer watched for this hold. */
    void stop();
  }

  /** One backend's capacity as the sidecar knows it. */
  private static final class Cold {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final AtomicInteger held = new AtomicInteger();
    final AtomicBoolean probing = new AtomicBoolean();
    volatile Backend backend;
    volatile CapacityState configured;
    volatile CapacityState learned; // null: nothing learnt since the config's last change
    volatile boolean refused; // taken as starting because it refused a connection
    ScheduledFuture<?> probe; // guarded by lock
    // When each held request's hold runs out (System.nanoTime), per instant; guarded by lock.
    final TreeMap<Long, Integer> holdsEnd = new TreeMap<>();

    Cold(Backend b) {
      this.name = b.name();
      this.backend = b;
      this.configured = configuredState(b);
    }

    CapacityState state() {
      CapacityState l = learned;
      return l != null ? l : configured;
    }
  }

  private final Map<String, Cold> backends = new ConcurrentHashMap<>();
  private final RouterMetrics metrics;
  private final Predicate<Backend> probe;
  private final ActivationClient activations;
  private final Duration probeInterval;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("aihandler-capacity-probe").unstarted(r));
  private final AutoCloseable resources;
  private volatile boolean stopping;

  /** Probes with {@link ReadinessProbe} and activates with {@link ActivationClient}. */
  public ColdCapacity(RouterMetrics metrics) {
    this(
        metrics,
        new ReadinessProbe(ReadinessProbe.DEFAULT_TIMEOUT, metrics),
        DEFAULT_PROBE_INTERVAL);
  }

  private ColdCapacity(RouterMetrics metrics, ReadinessProbe probe, Duration probeInterval) {
    this(metrics, probe::ready, new ActivationClient(metrics), probeInterval, probe);
  }

  /**
   * @param probe whether a backend's health endpoint says it can serve (bounded by its own timeout)
   * @param probeInterval how often a backend with held requests is probed
   */
  public ColdCapacity(
      RouterMetrics metrics,
      Predicate<Backend> probe,
      ActivationClient activations,
      Duration probeInterval) {
    this(metrics, probe, activations, probeInterval, null);
  }

  private ColdCapacity(
      RouterMetrics metrics,
      Predicate<Backend> probe,
      ActivationClient activations,
      Duration probeInterval,
      AutoCloseable resources) {
    this.metrics = metrics;
    this.probe = probe;
    this.activations = activations;
    this.probeInterval = probeInterval;
    this.resources = resources;
  }

  private static CapacityState configuredState(Backend b) {
    return b.capacity() == null ? CapacityState.READY : b.capacity().state();
  }

  private Cold entry(Backend b) {
    Cold c = backends.get(b.name());
    if (c != null) {
      return c;
    }
    return backends.computeIfAbsent(
        b.name(),
        name -> {
          Cold fresh = new Cold(b);
          metrics.heldRequests(name, fresh, x -> x.held.get());
          return fresh;
        });
  }

  /**
   * Takes the states of a config that is put in use: a backend whose configured state changed
   * forgets what was learnt about it, and every held request looks again.
   */
  public void configure(RouterConfig config) {
    Set<String> named = new HashSet<>();
    for (Backend b : config.backends()) {
      if (b.capacity() == null && !backends.containsKey(b.name())) {
        continue; // always ready: nothing to know, and no held-requests series of its own
      }
      named.add(b.name());
      Cold c = entry(b);
      CapacityState now = configuredState(b);
      c.lock.lock();
      try {
        c.backend = b;
        if (c.configured != now) {
          c.configured = now;
          c.learned = null;
          c.refused = false;
        }
        c.changed.signalAll();
      } finally {
        c.lock.unlock();
      }
    }
    // A backend taken out of the config is served by the runtime its requests began with; the
    // sidecar no longer knows anything of its capacity, so its held requests are let go to it.
    for (Cold c : backends.values()) {
      if (!named.contains(c.name)) {
        learn(c, CapacityState.READY);
      }
    }
  }

  /** The backend's state now: what the config says, or what the sidecar learnt since. */
  public CapacityState state(Backend b) {
    if (b.capacity() == null && !backends.containsKey(b.name())) {
      return CapacityState.READY;
    }
    return entry(b).state();
  }

  /** Whether the backend has a ready replica now. */
  public boolean ready(Backend b) {
    return state(b) == CapacityState.READY;
  }

  /**
   * A connection to a backend with {@code capacity} was refused: it has no ready pod (a preempted
   * node, an eviction, a crash), whatever the config says, until a probe or the config says ready.
   */
  public void lost(Backend b) {
    if (b.capacity() == null) {
      return;
    }
    Cold c = entry(b);
    if (c.state() == CapacityState.READY) {
      LOG.log(
          Level.WARNING,
          "backend {0} refused a connection: taken as starting until it is ready again",
          b.name());
      learn(c, CapacityState.STARTING);
      // No re-rendered config may ever say otherwise (the outage can be shorter than the
      // operator's view of it): probed until it answers, held requests or not.
      c.refused = true;
      startProbing(c);
    }
  }

  private void learn(Cold c, CapacityState state) {
    c.lock.lock();
    try {
      c.learned = state == c.configured ? null : state;
      c.refused = c.refused && c.learned == CapacityState.STARTING;
      c.changed.signalAll();
    } finally {
      c.lock.unlock();
    }
  }

  /** Requests held for the backend now. */
  public int held(String backend) {
    Cold c = backends.get(backend);
    return c == null ? 0 : c.held.get();
  }

  /**
   * Asks the operator to bring the backend up when it is cold (scaled to zero or starting: an
   * activation is idempotent, and a backend learnt to be starting may be at zero for all the config
   * knows). Runs in the background; never fails the caller.
   */
  public void wake(Backend b, Activation activation) {
    if (activation == null || b.capacity() == null || b.capacity().modelBackend() == null) {
      return;
    }
    if (ready(b) || !activations.due(b.name(), activation.minIntervalDuration())) {
      return; // no thread for a call that would not be made
    }
    String modelBackend = b.capacity().modelBackend();
    Thread.ofVirtual()
        .name("aihandler-activation")
        .start(
            () -> {
              ActivationClient.Result r = activations.activate(b.name(), modelBackend, activation);
              if (r == ActivationClient.Result.READY) {
                // The operator sees a ready replica: the probe confirms it before requests go.
                probeNow(entry(b));
              }
            });
  }

  /**
   * Holds the calling request until the backend has a ready replica, {@code untilNanos} passes, or
   * the client goes away; at most {@code maxHeld} requests are held for one backend.
   *
   * @param keepAlive sent every {@code keepAliveEvery} while held; null for none
   */
  public Outcome hold(
      Backend b, int maxHeld, long untilNanos, Duration keepAliveEvery, KeepAlive keepAlive) {
    return hold(b, maxHeld, untilNanos, keepAliveEvery, keepAlive, ClientWatch.NONE);
  }

  /**
   * As {@link #hold(Backend, int, long, Duration, KeepAlive)}, watching {@code client} while held:
   * a client that leaves ends the hold at once as {@link Outcome#CANCELLED}.
   */
  public Outcome hold(
      Backend b,
      int maxHeld,
      long untilNanos,
      Duration keepAliveEvery,
      KeepAlive keepAlive,
      ClientWatch client) {
    if (state(b) == CapacityState.READY) {
      return Outcome.READY;
    }
    Cold c = entry(b);
    if (stopping) {
      return Outcome.INTERRUPTED;
    }
    if (c.held.incrementAndGet() > maxHeld) {
      c.held.decrementAndGet();
      metrics.hold(b.name(), "rejected_full");
      return Outcome.FULL;
    }
    Outcome outcome = Outcome.INTERRUPTED;
    holdBegins(c, untilNanos);
    client.start();
    try {
      startProbing(c);
      outcome = waitForReady(c, untilNanos, keepAliveEvery, keepAlive, client);
      return outcome;
    } finally {
      client.stop();
      holdEnds(c, untilNanos);
      c.held.decrementAndGet();
      metrics.hold(b.name(), label(outcome));
    }
  }

  private static void holdBegins(Cold c, long untilNanos) {
    c.lock.lock();
    try {
      c.holdsEnd.merge(untilNanos, 1, Integer::sum);
    } finally {
      c.lock.unlock();
    }
  }

  private static void holdEnds(Cold c, long untilNanos) {
    c.lock.lock();
    try {
      c.holdsEnd.computeIfPresent(untilNanos, (k, n) -> n == 1 ? null : n - 1);
    } finally {
      c.lock.unlock();
    }
  }

  /**
   * When the first of the requests held for the backend now runs out of hold ({@link
   * System#nanoTime}): the latest a held place frees up, unless the backend is ready sooner.
   */
  public OptionalLong soonestHoldEnd(Backend b) {
    Cold c = backends.get(b.name());
    if (c == null) {
      return OptionalLong.empty();
    }
    c.lock.lock();
    try {
      return c.holdsEnd.isEmpty() ? OptionalLong.empty() : OptionalLong.of(c.holdsEnd.firstKey());
    } finally {
      c.lock.unlock();
    }
  }

  /** How often a backend with held requests is probed: how soon its readiness can be learnt. */
  public Duration probeInterval() {
    return probeInterval;
  }

  private static String label(Outcome o) {
    return switch (o) {
      case READY -> "served";
      case TIMEOUT -> "timeout";
      case FULL -> "rejected_full";
      case CANCELLED, INTERRUPTED -> "cancelled";
    };
  }

  private Outcome waitForReady(
      Cold c, long untilNanos, Duration keepAliveEvery, KeepAlive keepAlive, ClientWatch client) {
    long every = keepAliveEvery.toNanos();
    long nextKeepAlive = System.nanoTime() + every;
    boolean watching = client != ClientWatch.NONE;
    while (true) {
      // Before anything else, a backend that is ready included: nothing is sent for a client gone.
      if (client.gone()) {
        return Outcome.CANCELLED;
      }
      long now = System.nanoTime();
      if (keepAlive != null && now >= nextKeepAlive && now < untilNanos) {
        try {
          keepAlive.send();
        } catch (IOException clientGone) {
          return Outcome.CANCELLED;
        }
        nextKeepAlive = now + every;
      }
      c.lock.lock();
      try {
        if (c.state() == CapacityState.READY) {
          return client.gone() ? Outcome.CANCELLED : Outcome.READY;
        }
        if (stopping) {
          return Outcome.INTERRUPTED;
        }
        now = System.nanoTime();
        if (now >= untilNanos) {
          return Outcome.TIMEOUT;
        }
        long until = keepAlive == null ? untilNanos : Math.min(untilNanos, nextKeepAlive);
        if (watching) {
          until = Math.min(until, now + CLIENT_CHECK_INTERVAL.toNanos());
        }
        c.changed.awaitNanos(Math.max(1, until - now));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Outcome.INTERRUPTED;
      } finally {
        c.lock.unlock();
      }
    }
  }

  /** Probes the backend every interval while anything is held for it, first at once. */
  private void startProbing(Cold c) {
    c.lock.lock();
    try {
      if (c.probe == null || c.probe.isDone()) {
        c.probe =
            timer.scheduleWithFixedDelay(
                () -> probeTick(c), 0, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      c.lock.unlock();
    }
  }

  private void probeTick(Cold c) {
    c.lock.lock();
    try {
      if ((c.held.get() == 0 && !c.refused) || c.state() == CapacityState.READY) {
        if (c.probe != null) {
          c.probe.cancel(false);
          c.probe = null;
        }
        return;
      }
    } finally {
      c.lock.unlock();
    }
    probeNow(c);
  }

  /** One probe on a virtual thread, unless one is under way: a slow one never stacks up. */
  private void probeNow(Cold c) {
    if (!c.probing.compareAndSet(false, true)) {
      return;
    }
    Thread.ofVirtual()
        .name("aihandler-capacity-probe-" + c.name)
        .start(
            () -> {
              try {
                Backend b = c.backend;
                if (probe.test(b) && c.state() != CapacityState.READY) {
                  LOG.log(Level.INFO, "backend {0} answers its health probe: ready", c.name);
                  learn(c, CapacityState.READY);
                }
              } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "health probe of backend {0} failed: {1}", c.name, e);
              } finally {
                c.probing.set(false);
              }
            });
  }

  /**
   * The sidecar is stopping: every held request is let go at once (it is answered 503 {@code
   * shutting_down}, to be retried on another pod) and none is held any more.
   */
  public void stop() {
    stopping = true;
    for (Cold c : backends.values()) {
      c.lock.lock();
      try {
        c.changed.signalAll();
      } finally {
        c.lock.unlock();
      }
    }
  }

  @Override
  public void close() {
    stop();
    timer.shutdownNow();
    activations.close();
    if (resources != null) {
      try {
        resources.close();
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "closing the readiness probe: {0}", e.toString());
      }
    }
  }
}
