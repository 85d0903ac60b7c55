package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restricted data never leaves the cluster, whatever fails: a randomized run of errors, rate
 * limits, timeouts, invalid output and open circuits, after which the external providers must have
 * received zero restricted requests.
 */
class DataClassFaultInjectionTest {

  private static final String MARK = "RESTRICTED-MARK";
  private static final long SEED = Long.getLong("aihandler.test.seed", System.nanoTime());

  @TempDir Path dir;
  final Random random = new Random(SEED);
  final AtomicInteger restrictedAtExternal = new AtomicInteger();
  final AtomicInteger restrictedAtLocal = new AtomicInteger();
  final AtomicInteger externalServed = new AtomicInteger();
  final AtomicInteger localServed = new AtomicInteger();
  MockWebServer external1;
  MockWebServer external2;
  MockWebServer local;
  Sidecar sidecar;

  /** Answers with a random fault or a valid answer; counts restricted requests it sees. */
  private Dispatcher faulty(boolean external, AtomicInteger served) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        boolean restricted =
            body.contains(MARK) || body.contains("@example.com") || body.contains("078-05-1120");
        if (restricted) {
          (external ? restrictedAtExternal : restrictedAtLocal).incrementAndGet();
        }
        int roll;
        synchronized (random) {
          roll = random.nextInt(10);
        }
        return switch (roll) {
          case 0 -> OpenAiFixtures.openAiError(500, "server_error", null, "internal error");
          case 1 -> OpenAiFixtures.openAiError(429, "requests", "rate_limit_exceeded", "slow down");
          case 2 ->
              new MockResponse.Builder(
                      OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("{}", "stop")))
                  .headersDelay(400, TimeUnit.MILLISECONDS)
                  .build();
          case 3 -> OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("not json at all", "stop"));
          case 4 ->
              OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("{\"label\":\"a\"", "length"));
          default -> {
            served.incrementAndGet();
            yield OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("{\"label\":\"ok\"}", "stop"));
          }
        };
      }
    };
  }

  @BeforeEach
  void start() throws Exception {
    external1 = new MockWebServer();
    external1.setDispatcher(faulty(true, externalServed));
    external1.start();
    external2 = new MockWebServer();
    external2.setDispatcher(faulty(true, externalServed));
    external2.start();
    local = new MockWebServer();
    local.setDispatcher(faulty(false, localServed));
    local.start();
    String route =
        """
            targets: [{backend: ext-1, priority: 0, weight: 5}, {backend: ext-2, priority: 1, weight: 3}, {backend: llama, priority: 2, weight: 1}]
            maxAttempts: 6
            backoff: {initial: 1ms, max: 5ms}
            perTryTimeout: 150ms
            timeout: 5s
            circuitBreaker: {minimumCalls: 4, windowSize: 8, failureRateThreshold: 50, openDuration: 200ms}
        """;
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: ext-1, provider: openai-compatible, baseUrl: "%s", model: m1, locality: external}
              - {name: ext-2, provider: openai-compatible, baseUrl: "%s", model: m2, locality: external}
              - {name: llama, provider: vllm, baseUrl: "%s", model: llama}
            dataClasses:
              - name: restricted
                allowedLocalities: [in-cluster]
                detectors: [{type: email}, {type: usSsn}, {type: regex, pattern: "%s"}]
              - name: public
                allowedLocalities: [in-cluster, external]
            defaultDataClass: public
            routes:
              - name: failover
                strategy: failover
            %s
              - name: weighted
                strategy: weighted
            %s
              - name: cheap
                strategy: lowest-cost
            %s
            tasks:
              - name: label
                route: weighted
                output:
                  schema: {type: object, required: [label], properties: {label: {type: string}}}
                  maxRepairAttempts: 1
              - name: secret-label
                route: failover
                dataClass: restricted
                output:
                  schema: {type: object, required: [label]}
            """
                .formatted(
                    external1.url("/v1"),
                    external2.url("/v1"),
                    local.url("/v1"),
                    MARK,
                    route,
                    route,
                    route));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    external1.close();
    external2.close();
    local.close();
  }

  @Test
  void restrictedRequestsNeverReachExternalProvidersUnderAnyFault() throws Exception {
    String[] models = {"failover", "weighted", "cheap", "label", "secret-label", "ext-1"};
    int restrictedSent = 0;
    for (int i = 0; i < 80; i++) {
      String model = models[random.nextInt(models.length)];
      int how = random.nextInt(5); // 0 header, 1 email, 2 ssn, 3 custom regex, 4 unrestricted
      boolean restricted = how < 4 || model.equals("secret-label");
      String content =
          switch (how) {
            case 1 -> "Reply to jane.doe@example.com " + MARK;
            case 2 -> "SSN 078-05-1120 " + MARK;
            case 3 -> "ticket " + MARK;
            default -> (restricted ? MARK : "public question") + " #" + i;
          };
      boolean stream = random.nextBoolean() && !model.contains("label");
      String body =
          "{\"model\":\""
              + model
              + "\",\"stream\":"
              + stream
              + ",\"messages\":[{\"role\":\"user\",\"content\":\""
              + content
              + "\"}]}";
      HttpResponse<String> r =
          how == 0
              ? sidecar.post("/v1/chat/completions", body, "x-aihandler-data-class", "restricted")
              : sidecar.post("/v1/chat/completions", body);
      if (restricted) {
        restrictedSent++;
        if (model.equals("ext-1")) {
          assertThat(r.statusCode())
              .as("a restricted request to an external backend")
              .isEqualTo(403);
        }
      }
      assertThat(r.statusCode()).isIn(200, 403, 429, 502, 503, 504);
    }
    assertThat(restrictedAtExternal.get())
        .as("restricted requests at external providers (seed %d)", SEED)
        .isZero();
    assertThat(restrictedSent).isPositive();
    assertThat(restrictedAtLocal.get())
        .as("restricted requests were still sent, in-cluster")
        .isPositive();
    assertThat(externalServed.get())
        .as("unrestricted traffic did reach the external providers")
        .isPositive();
    assertThat(sidecar.metrics())
        .contains("aihandler_data_policy_blocks_total{backend=\"ext-1\",data_class=\"");
  }
}
