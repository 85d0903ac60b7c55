package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Locality;
import io.aihandler.router.config.Provider;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.provider.ProviderRegistry;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.runtime.BackendHealth;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.runtime.TokenBudget;
import io.aihandler.router.upstream.UpstreamClient;
import io.aihandler.router.upstream.UpstreamLimits;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/** One backend, one call and the attempt parts, for tests of a single attempt. */
final class AttemptFixture implements AutoCloseable {

  static final ObjectMapper MAPPER = new ObjectMapper();
  static final UpstreamLimits SMALL_LIMITS = new UpstreamLimits(64 * 1024, 4096, 16 * 1024);

  final RouterMetrics metrics = new RouterMetrics();
  final CredentialStore credentials = new CredentialStore(Map.<String, String>of()::get, metrics);
  final BackendHealth health = new BackendHealth(metrics);
  final UpstreamClient upstream = new UpstreamClient();
  final UsageMeter usage = new UsageMeter(metrics);
  final BackendAdmission admission = new BackendAdmission(credentials);
  final BackendRuntime backend;
  final RoutedCall call;
  final CallRecord record = new CallRecord();

  AttemptFixture(Provider provider, String baseUrl, String idleTimeout, boolean stream) {
    Backend config =
        new Backend(
            "b",
            provider,
            baseUrl,
            "m",
            null,
            Locality.IN_CLUSTER,
            null,
            null,
            null,
            null,
            null,
            null);
    backend =
        new BackendRuntime(
            config,
            ProviderRegistry.translatorFor(config),
            null,
            CircuitBreaker.ofDefaults("b"),
            new Semaphore(10),
            new BackendRuntime.RequestRate(0, 0),
            new TokenBudget(0, 0));
    Route route =
        new Route(
            "r",
            List.of(new RouteTarget("b", 1, 0)),
            null,
            null,
            null,
            null,
            "5s",
            "10s",
            "5s",
            idleTimeout,
            null,
            null,
            null);
    ObjectNode request = MAPPER.createObjectNode();
    request.put("model", "r");
    request.put("stream", stream);
    request.putArray("messages").addObject().put("role", "user").put("content", "hi");
    call =
        new RoutedCall(
            "chat",
            "r",
            null,
            route,
            request,
            null,
            null,
            0,
            new DataPolicy.Decision(List.of(), EnumSet.allOf(Locality.class)),
            Duration.ofSeconds(10),
            false);
  }

  TranslationContext context() {
    return new TranslationContext("m", "r", "chatcmpl-test", 1, null, null, "native", 100, true);
  }

  OutgoingRequest outgoing() {
    return OutgoingRequest.prepare(backend, call.request(), context(), call, credentials);
  }

  BackendAdmission.Permit permit() {
    return (BackendAdmission.Permit) admission.admit(backend, call.request());
  }

  long deadline() {
    return System.nanoTime() + call.timeout().toNanos();
  }

  @Override
  public void close() {
    upstream.close();
  }

  /** A sink that keeps what it is given. */
  static class RecordingSink implements ChunkSink {
    final List<ObjectNode> chunks = new ArrayList<>();
    boolean begun;
    boolean done;
    ApiException error;

    @Override
    public void begin() {
      begun = true;
    }

    @Override
    public void chunk(ObjectNode chunk) throws java.io.IOException {
      chunks.add(chunk);
    }

    @Override
    public void done() {
      done = true;
    }

    @Override
    public void error(ApiException e) {
      error = e;
    }
  }
}
