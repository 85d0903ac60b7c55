package io.aihandler.router.shadow;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.Sidecar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's latency with shadowing on equals off within noise, side by side in one run: one
 * sidecar on one primary stand-in, its task switched by reloads between mirroring every request to
 * a candidate that takes 50 ms and mirroring none, in alternating rounds on the same client
 * connection, so load, warm-up and the connection's TCP behaviour hit both settings alike.
 */
class ShadowLatencyTest {

  private static final String VALID = "{\"category\":\"billing\",\"urgent\":true}";
  private static final String TICKET = "{\"variables\":{\"ticket\":\"I was charged twice\"}}";
  private static final int WARM_UP = 100;
  private static final int ROUNDS = 10;
  private static final int PER_ROUND = 20;

  @TempDir Path dir;

  private static Dispatcher answering(MockResponse r) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return r;
      }
    };
  }

  private static String config(String gpt, String llama, String rate) {
    return """
        backends:
          - {name: gpt, provider: openai-compatible, baseUrl: "%s", model: gpt-4o, locality: external}
          - {name: llama, provider: vllm, baseUrl: "%s", model: llama-3.3-70b}
        routes:
          - {name: hosted, targets: [{backend: gpt}]}
        tasks:
          - name: classify
            route: hosted
            prompt: {user: "Classify: {{ticket}}"}
            variables: [{name: ticket}]
            output:
              schema:
                type: object
                properties:
                  category: {enum: [billing, bug]}
                  urgent: {type: boolean}
            evaluate:
              candidates: [{backend: llama, sampleRate: %s}]
        """
        .formatted(gpt, llama, rate);
  }

  @Test
  void theClientsLatencyWithShadowsOnEqualsOffWithinNoise() throws Exception {
    try (MockWebServer gpt = new MockWebServer();
        MockWebServer llama = new MockWebServer()) {
      gpt.setDispatcher(answering(ok(openAiCompletion(VALID, "stop"))));
      llama.setDispatcher(
          answering(
              ok(vllmCompletion(VALID, "stop"))
                  .newBuilder()
                  .headersDelay(50, TimeUnit.MILLISECONDS)
                  .build()));
      gpt.start();
      llama.start();
      try (Sidecar sidecar =
          Sidecar.start(dir, config(gpt.url("/v1").toString(), llama.url("/v1").toString(), "0"))) {
        for (int i = 0; i < WARM_UP; i++) {
          timed(sidecar);
        }
        List<Long> onNanos = new ArrayList<>();
        List<Long> offNanos = new ArrayList<>();
        String onConfig = config(gpt.url("/v1").toString(), llama.url("/v1").toString(), "1");
        String offConfig = config(gpt.url("/v1").toString(), llama.url("/v1").toString(), "0");
        for (int round = 0; round < ROUNDS; round++) {
          // Alternate the order too, so neither setting always follows a reload.
          boolean onFirst = round % 2 == 0;
          for (boolean on : onFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
            sidecar.rewriteConfig(on ? onConfig : offConfig);
            for (int i = 0; i < PER_ROUND; i++) {
              (on ? onNanos : offNanos).add(timed(sidecar));
            }
          }
        }
        // Every mirrored call ends judged or dropped; the last ones may still be running.
        long end = System.nanoTime() + 10_000_000_000L;
        while (mirrored(sidecar) < ROUNDS * PER_ROUND && System.nanoTime() < end) {
          Thread.sleep(20);
        }
        double shadowed =
            ShadowEvaluationTest.sum(
                sidecar.metrics(), "aihandler_task_answers_total", "role", "shadow");
        double dropped =
            ShadowEvaluationTest.sum(
                sidecar.metrics(), "aihandler_shadow_skipped_total", "reason", "busy");
        String figures =
            String.format(
                Locale.ROOT,
                "client latency over %d calls each: shadows on p50 %.2f ms p95 %.2f ms;"
                    + " off p50 %.2f ms p95 %.2f ms; shadow calls judged %.0f, dropped busy %.0f",
                onNanos.size(),
                percentile(onNanos, 50),
                percentile(onNanos, 95),
                percentile(offNanos, 50),
                percentile(offNanos, 95),
                shadowed,
                dropped);
        System.out.println(figures);

        assertThat(shadowed + dropped).isEqualTo(ROUNDS * PER_ROUND);
        // Within noise: the medians differ by less than 2 ms or 25%, whichever is more.
        double p50On = percentile(onNanos, 50);
        double p50Off = percentile(offNanos, 50);
        assertThat(p50On).as(figures).isLessThan(Math.max(p50Off + 2.0, p50Off * 1.25));
      }
    }
  }

  private static double mirrored(Sidecar s) {
    String m = s.metrics();
    return ShadowEvaluationTest.sum(m, "aihandler_task_answers_total", "role", "shadow")
        + ShadowEvaluationTest.sum(m, "aihandler_shadow_skipped_total", "reason", "busy");
  }

  private static long timed(Sidecar s) throws Exception {
    long started = System.nanoTime();
    int status = s.post("/v1/tasks/classify", TICKET).statusCode();
    long took = System.nanoTime() - started;
    assertThat(status).isEqualTo(200);
    return took;
  }

  private static double percentile(List<Long> nanos, int p) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, i)) / 1e6;
  }
}
