package io.aihandler.router.shadow;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.Sidecar;
import java.nio.file.Files;
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
 * The client's latency with shadowing on equals off within noise: two sidecars side by side in one
 * run, the same primary stand-in, one mirroring every request to a candidate that takes 50 ms, the
 * other mirroring nothing; their calls interleaved so load and warm-up hit both alike.
 */
class ShadowLatencyTest {

  private static final String VALID = "{\"category\":\"billing\",\"urgent\":true}";
  private static final String TICKET = "{\"variables\":{\"ticket\":\"I was charged twice\"}}";
  private static final int WARM_UP = 100;
  private static final int MEASURED = 200;

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
      Files.createDirectories(dir.resolve("on"));
      Files.createDirectories(dir.resolve("off"));
      try (Sidecar on =
              Sidecar.start(
                  dir.resolve("on"),
                  config(gpt.url("/v1").toString(), llama.url("/v1").toString(), "1"));
          Sidecar off =
              Sidecar.start(
                  dir.resolve("off"),
                  config(gpt.url("/v1").toString(), llama.url("/v1").toString(), "0"))) {
        List<Long> onNanos = new ArrayList<>();
        List<Long> offNanos = new ArrayList<>();
        for (int i = 0; i < WARM_UP + MEASURED; i++) {
          boolean onFirst = i % 2 == 0;
          long a = timed(onFirst ? on : off);
          long b = timed(onFirst ? off : on);
          if (i >= WARM_UP) {
            (onFirst ? onNanos : offNanos).add(a);
            (onFirst ? offNanos : onNanos).add(b);
          }
        }
        double shadowed =
            ShadowEvaluationTest.sum(
                on.metrics(), "aihandler_task_answers_total", "role", "shadow");
        double dropped =
            ShadowEvaluationTest.sum(
                on.metrics(), "aihandler_shadow_skipped_total", "reason", "busy");
        String figures =
            String.format(
                Locale.ROOT,
                "client latency over %d calls each: shadows on p50 %.2f ms p95 %.2f ms;"
                    + " off p50 %.2f ms p95 %.2f ms; shadow calls judged %.0f, dropped busy %.0f",
                MEASURED,
                percentile(onNanos, 50),
                percentile(onNanos, 95),
                percentile(offNanos, 50),
                percentile(offNanos, 95),
                shadowed,
                dropped);
        System.out.println(figures);

        assertThat(shadowed).isPositive();
        assertThat(
                ShadowEvaluationTest.sum(
                    off.metrics(), "aihandler_task_answers_total", "role", "shadow"))
            .isZero();
        // Within noise: the medians differ by less than a millisecond or 25%, whichever is more.
        double p50On = percentile(onNanos, 50);
        double p50Off = percentile(offNanos, 50);
        assertThat(p50On).as(figures).isLessThan(Math.max(p50Off + 1.0, p50Off * 1.25));
      }
    }
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
