package io.aihandler.controllers.advisor;

import io.aihandler.router.abuse.SidecarProcess;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.testing.OpenAiFixtures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A real router sidecar process, the scrape target of the advisor's Prometheus tests: task {@code
 * classify} on a hosted primary {@code claude} (an OpenAI-shaped MockWebServer) evaluating the
 * self-hosted {@code llama-3-3-70b} (a vLLM-shaped one) on every request, and task {@code
 * summarize} on claude alone. What each provider answers is decided by a marker in the ticket, so
 * the counts are exact however the shadow threads interleave: {@link Shadow} says what the Llama
 * does with a request, and its repair prompts.
 */
final class ClassifySidecar implements AutoCloseable {

  /**
   * The providers' usage per call: a ticket with its thread, a short answer. The fixtures' frames
   * with these numbers in their {@code usage}.
   */
  static final int CLAUDE_INPUT = 4000;

  static final int CLAUDE_OUTPUT = 300;
  static final int LLAMA_INPUT = 4100;
  static final int LLAMA_OUTPUT = 320;

  /** claude's price per million tokens in and out: the cost of one answer follows. */
  static final double CLAUDE_COST = (CLAUDE_INPUT * 3.0 + CLAUDE_OUTPUT * 15.0) / 1e6;

  /** How long each provider takes to answer, so the latency buckets are known. */
  static final Duration CLAUDE_DELAY = Duration.ofMillis(30);

  static final Duration LLAMA_DELAY = Duration.ofMillis(120);

  static final String VALID = "{\"category\":\"billing\",\"priority\":\"high\",\"confidence\":0.9}";
  private static final String OTHER_PRIORITY =
      "{\"category\":\"billing\",\"priority\":\"low\",\"confidence\":0.9}";
  private static final String INVALID =
      "{\"category\":\"billing\",\"priority\":\"asap\",\"confidence\":0.9}";
  private static final Pattern MARKER = Pattern.compile("\\[(\\w+)]");
  private static final java.util.concurrent.atomic.AtomicInteger REPAIRED_CALLS =
      new java.util.concurrent.atomic.AtomicInteger();

  /** What the candidate makes of one mirrored request. */
  enum Shadow {
    /** The primary's answer, first try. */
    AGREE,
    /** A valid answer with another priority: two of three fields agree. */
    DISAGREE,
    /** Outside the schema first, valid after the repair. */
    REPAIRED,
    /** Outside the schema after the repair too. */
    INVALID
  }

  private final MockWebServer claude = new MockWebServer();
  private final MockWebServer llama = new MockWebServer();
  private final SidecarProcess sidecar;
  private final HttpClient http = HttpClient.newHttpClient();

  private ClassifySidecar(Path directory) throws IOException {
    claude.setDispatcher(
        answering(
            CLAUDE_DELAY,
            marker ->
                marker.equals("fail")
                    ? OpenAiFixtures.openAiError(500, "server_error", null, "overloaded")
                    : OpenAiFixtures.ok(claude(VALID))));
    llama.setDispatcher(answering(LLAMA_DELAY, ClassifySidecar::candidate));
    claude.start();
    llama.start();
    Path config = directory.resolve("router.yaml");
    Files.writeString(config, config(claude.url("/v1").toString(), llama.url("/v1").toString()));
    // The launcher's 32 MiB heap has no room for the shadow heap beside the default limits (the
    // sidecar refuses such a config at start, docs/router-sidecar.md); in a pod the operator gives
    // the heap the document's need (docs/container-images.md#heap).
    sidecar = SidecarProcess.startWith(config, List.of("-Xmx48m"));
  }

  static ClassifySidecar start(Path directory) throws IOException {
    return new ClassifySidecar(directory);
  }

  /** {@code host:port} of its management listener, for Prometheus's static config. */
  String target() {
    return "127.0.0.1:" + sidecar.managementPort();
  }

  /** One classify request claude answers validly, mirrored to the Llama, which does {@code s}. */
  void classify(Shadow s) throws Exception {
    post("classify", "[" + s.name().toLowerCase(java.util.Locale.ROOT) + "]", null, 200);
  }

  /**
   * One classify request claude fails (both attempts): the client gets an error (502, or 503 once
   * claude's circuit is open), nothing is mirrored.
   */
  void classifyFailing() throws Exception {
    post("classify", "[fail]", null, -1);
  }

  /** One classify request the client marks restricted: external claude may not serve it. */
  void classifyRestricted() throws Exception {
    post("classify", "[agree]", "restricted", -1);
  }

  /** One summarize request, answered by claude. */
  void summarize() throws Exception {
    post("summarize", "[agree]", null, 200);
  }

  /** Waits until the sidecar has judged this many shadow answers. */
  void awaitShadows(int count) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (sum(metrics(), "aihandler_task_answers_total", "role=\"shadow\"") < count) {
      if (System.nanoTime() > end) {
        throw new AssertionError("fewer than " + count + " shadow answers in 30 s:\n" + metrics());
      }
      Thread.sleep(20);
    }
  }

  /** The sidecar's own exposition, the text Prometheus scrapes. */
  String metrics() throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://" + target() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The sum of a metric's samples in the sidecar's exposition whose labels hold every fragment. */
  static double sum(String exposition, String name, String... fragments) {
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$");
    double total = 0;
    for (String l : exposition.split("\n")) {
      Matcher m = line.matcher(l);
      if (!m.matches()) {
        continue;
      }
      boolean all = true;
      for (String fragment : fragments) {
        all &= m.group(1).contains(fragment);
      }
      if (all) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  private void post(String task, String marker, String dataClass, int expectedStatus)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sidecar.port() + "/v1/tasks/" + task))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"variables\":{\"ticket\":\"" + marker + " I was charged twice\"}}"));
    if (dataClass != null) {
      request.header(DataPolicy.HEADER, dataClass);
    }
    int status = http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    if (expectedStatus > 0 && status != expectedStatus) {
      throw new AssertionError(task + " " + marker + ": status " + status);
    }
    if (expectedStatus < 0 && status == 200) {
      throw new AssertionError(task + " " + marker + ": answered, though it must fail");
    }
  }

  /** A provider answering by the request's marker. */
  private static Dispatcher answering(
      Duration delay, java.util.function.Function<String, MockResponse> byMarker) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        Matcher m = MARKER.matcher(body);
        String marker = m.find() ? m.group(1) : "";
        return byMarker
            .apply(marker)
            .newBuilder()
            .headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS)
            .build();
      }
    };
  }

  /**
   * The candidate's answer. A repaired shadow's two calls are the odd and even requests of its
   * marker: the traffic never has two repaired shadows at once.
   */
  private static MockResponse candidate(String marker) {
    String answer =
        switch (marker) {
          case "disagree" -> OTHER_PRIORITY;
          case "repaired" -> REPAIRED_CALLS.getAndIncrement() % 2 == 0 ? INVALID : VALID;
          case "invalid" -> INVALID;
          default -> VALID;
        };
    return OpenAiFixtures.ok(llama(answer));
  }

  private static String claude(String content) {
    return OpenAiFixtures.openAiCompletion(content, "stop")
        .replace(
            "\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29",
            "\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d"
                .formatted(CLAUDE_INPUT, CLAUDE_OUTPUT, CLAUDE_INPUT + CLAUDE_OUTPUT));
  }

  private static String llama(String content) {
    return OpenAiFixtures.vllmCompletion(content, "stop")
        .replace(
            "\"prompt_tokens\":25,\"total_tokens\":37,\"completion_tokens\":12",
            "\"prompt_tokens\":%d,\"total_tokens\":%d,\"completion_tokens\":%d"
                .formatted(LLAMA_INPUT, LLAMA_INPUT + LLAMA_OUTPUT, LLAMA_OUTPUT));
  }

  private static String config(String claudeUrl, String llamaUrl) {
    // One shadow at a time, in a queue deep enough that none of a test's requests is dropped as
    // busy (two at once on the default shadow heap dropped some).
    return """
        sidecar: {shadowConcurrency: 1, shadowQueue: 64}
        backends:
          - name: claude
            provider: openai-compatible
            baseUrl: "%s"
            model: claude-sonnet-4-5
            locality: external
            pricing: {inputPerMillionTokens: 3, outputPerMillionTokens: 15}
          - name: llama-3-3-70b
            provider: vllm
            baseUrl: "%s"
            model: llama-3.3-70b
        dataClasses:
          - {name: internal, allowedLocalities: [in-cluster, external]}
          - {name: restricted, allowedLocalities: [in-cluster]}
        routes:
          # A repair takes one of the route's attempts.
          - {name: classification, targets: [{backend: claude}], maxAttempts: 2}
        tasks:
          - name: classify
            route: classification
            dataClass: internal
            prompt:
              system: Classify the ticket.
              user: "{{ticket}}"
            variables: [{name: ticket}]
            output:
              schema:
                type: object
                required: [category, priority, confidence]
                properties:
                  category: {type: string, enum: [billing, bug, feature-request, account, other]}
                  priority: {type: string, enum: [low, normal, high, urgent]}
                  confidence: {type: number}
              maxRepairAttempts: 1
            parameters: {temperature: 0, maxTokens: 100}
            evaluate:
              candidates: [{backend: llama-3-3-70b, sampleRate: 1}]
          - name: summarize
            route: classification
            dataClass: internal
            prompt: {user: "Summarize: {{ticket}}"}
            variables: [{name: ticket}]
            parameters: {maxTokens: 100}
        """
        .formatted(claudeUrl, llamaUrl);
  }

  @Override
  public void close() throws IOException {
    sidecar.close();
    claude.close();
    llama.close();
  }
}
