package io.aihandler.bench;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * Counts every request the embedded API server receives, by client (the benchmark's own, told by
 * its user agent, or the operator's) and verb, before passing it on.
 */
final class CountingDispatcher extends Dispatcher {

  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  /** Object names and namespaces vary; the kind of path is what tells which controller wrote. */
  private static final Pattern NAMES =
      Pattern.compile("/namespaces/[^/]+|(?<=/(modelbackends|routingpolicies|workflows|configmaps|secrets|deployments|services|events|leases|persistentvolumeclaims|poddisruptionbudgets))/[^/?]+");

  /** Counts at one moment; {@link #minus} gives what happened between two. */
  record Snapshot(Map<String, Long> counts) {

    Snapshot minus(Snapshot earlier) {
      Map<String, Long> difference = new TreeMap<>();
      counts.forEach((key, value) -> {
        long d = value - earlier.counts.getOrDefault(key, 0L);
        if (d != 0) {
          difference.put(key, d);
        }
      });
      return new Snapshot(difference);
    }

    long operatorTotal() {
      return sum("operator verb ");
    }

    long operatorWrites() {
      return counts.entrySet().stream()
          .filter(e -> e.getKey().startsWith("operator verb ") && WRITES.contains(e.getKey().substring("operator verb ".length())))
          .mapToLong(Map.Entry::getValue).sum();
    }

    /** For example {@code GET 1200, WATCH 6, PATCH 2400}. */
    String operatorByVerb() {
      StringBuilder out = new StringBuilder();
      counts.forEach((key, value) -> {
        if (key.startsWith("operator verb ")) {
          out.append(out.isEmpty() ? "" : ", ").append(key.substring("operator verb ".length())).append(' ').append(value);
        }
      });
      return out.isEmpty() ? "none" : out.toString();
    }

    String operatorWritesByPath() {
      StringBuilder out = new StringBuilder();
      counts.forEach((key, value) -> {
        if (key.startsWith("operator write ")) {
          out.append(out.isEmpty() ? "" : ", ").append(key.substring("operator write ".length())).append(" x").append(value);
        }
      });
      return out.toString();
    }

    private long sum(String prefix) {
      return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
    }
  }

  private final Dispatcher delegate;
  private final String benchAgent;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  CountingDispatcher(Dispatcher delegate, String benchAgent) {
    this.delegate = delegate;
    this.benchAgent = benchAgent;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String agent = request.getHeader("User-Agent");
    String client = agent != null && agent.startsWith(benchAgent) ? "bench" : "operator";
    String method = request.getMethod();
    String path = request.getPath() == null ? "" : request.getPath();
    String verb = "GET".equals(method) && path.contains("watch=true") ? "WATCH" : method;
    count(client + " verb " + verb);
    if (WRITES.contains(method)) {
      int query = path.indexOf('?');
      String shape = NAMES.matcher(query < 0 ? path : path.substring(0, query)).replaceAll(m -> m.group().startsWith("/namespaces/") ? "/namespaces/*" : "/*");
      count(client + " write " + method + " " + shape);
    }
    return delegate.dispatch(request);
  }

  Snapshot snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((key, value) -> copy.put(key, value.sum()));
    return new Snapshot(copy);
  }

  private void count(String key) {
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }
}
