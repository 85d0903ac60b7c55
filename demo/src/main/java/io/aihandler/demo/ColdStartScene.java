package io.aihandler.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ScalingEvent;
import io.aihandler.demo.cluster.AdjustableClock;
import io.aihandler.demo.cluster.LoadingKubelet;
import io.aihandler.demo.standin.VllmStandIn;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Scene: cold capacity. The vLLM backend is set to scale to zero and, idle, goes to zero; a
 * restricted request wakes it (the sidecar calls the operator's activation endpoint with the pod's
 * projected token, checked by a TokenReview) and is held until the emulated kubelet ({@link
 * LoadingKubelet}) reports the pod ready after its simulated model load; an internal request sent
 * meanwhile spills over to the hosted model at once; idle again, the backend goes back to zero. The
 * operator's clock is moved past the idle windows (the CRD's shortest is a minute), everything else
 * runs in real time. No restricted text may reach a hosted stand-in.
 */
final class ColdStartScene {

  /** What the scene established. */
  record Outcome(
      String readyAtZero,
      List<String> timeline,
      DemoReport.Exchange held,
      Duration heldFor,
      DemoReport.Exchange spilled,
      Duration spillOverLatency,
      int restrictedAtExternal,
      List<String> sidecarMetrics,
      List<String> operatorMetrics,
      List<Integer> scalingHistory,
      List<String> events,
      Double gpuHoursSaved) {}

  static final Duration LOAD_TIME = Duration.ofSeconds(3);
  static final String SCALE_TO_ZERO_AFTER = "1m";
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final String ROUTE = "classification";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  private record Event(Instant at, String what) {}

  private final KubernetesClient client;
  private final DemoConsole console;
  private final VllmStandIn vllm;
  private final AdjustableClock operatorClock;
  private final Runnable configSync;
  private final LocalSidecar sidecar;
  private final Path sidecarConfig;
  private final String operatorMetricsUrl;
  private final Supplier<List<String>> externalBodies;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<LoadingKubelet.Step> steps = new CopyOnWriteArrayList<>();
  private volatile String syncFailure;

  /**
   * @param configSync the kubelet's sync of the sidecar's mounted ConfigMap (and the local mapping
   *     of its names)
   * @param sidecarConfig the config file the sidecar reads
   * @param externalBodies the request bodies every hosted stand-in has received
   */
  ColdStartScene(
      KubernetesClient client,
      DemoConsole console,
      VllmStandIn vllm,
      AdjustableClock operatorClock,
      Runnable configSync,
      LocalSidecar sidecar,
      Path sidecarConfig,
      String operatorMetricsUrl,
      Supplier<List<String>> externalBodies) {
    this.client = client;
    this.console = console;
    this.vllm = vllm;
    this.operatorClock = operatorClock;
    this.configSync = configSync;
    this.sidecar = sidecar;
    this.sidecarConfig = sidecarConfig;
    this.operatorMetricsUrl = operatorMetricsUrl;
    this.externalBodies = externalBodies;
  }

  Outcome play() {
    Instant start = Instant.now();
    int externalBefore = externalBodies.get().size();
    String podIp = vllm.hostAndPort().replaceFirst(":\\d+$", "");
    ScheduledExecutorService sync =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("demo-configmap-sync").factory());
    try (LoadingKubelet kubelet =
        new LoadingKubelet(
            client,
            EmbeddedDemo.PLATFORM,
            EmbeddedDemo.VLLM_BACKEND,
            podIp,
            LOAD_TIME,
            step -> {
              switch (step.change()) {
                case READY -> vllm.serving(true);
                case DELETED -> vllm.serving(false);
                default -> {}
              }
              steps.add(step);
              events.add(new Event(step.at(), "kubelet: " + step.what()));
            })) {
      // The kubelet refreshes mounted ConfigMaps; here twice a second.
      sync.scheduleWithFixedDelay(
          () -> {
            try {
              configSync.run();
              syncFailure = null;
            } catch (RuntimeException e) {
              syncFailure = e.toString(); // the next sync tries again; a wait reports it
            }
          },
          0,
          500,
          TimeUnit.MILLISECONDS);
      kubelet.start(Duration.ofMillis(100));

      console.progress(
          "kubectl patch modelbackend "
              + EmbeddedDemo.VLLM_BACKEND
              + ": scaling.minReplicas 0, scaleToZeroAfter "
              + SCALE_TO_ZERO_AFTER);
      client
          .resources(ModelBackend.class)
          .inNamespace(EmbeddedDemo.PLATFORM)
          .withName(EmbeddedDemo.VLLM_BACKEND)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"vllm\":{\"scaling\":{\"minReplicas\":0,\"scaleToZeroAfter\":\""
                  + SCALE_TO_ZERO_AFTER
                  + "\"}}}}");
      letIdleWindowPass();
      awaitScaledToZero(1);
      awaitSidecarSeesState("scaled-to-zero");
      String readyAtZero =
          readyCondition().map(c -> c.getStatus() + " " + c.getReason()).orElse("none");
      console.ok(
          "at zero replicas: Ready="
              + readyAtZero
              + " (idle by design, not broken); the rendered config keeps the backend, with"
              + " capacity.state scaled-to-zero");

      console.line(
          "a restricted request (an email address in it) for route "
              + ROUTE
              + ": only the in-cluster backend may serve it");
      int seen = sidecar.accessCount();
      Instant heldSent = Instant.now();
      events.add(new Event(heldSent, "sidecar: restricted request received, held for the backend"));
      CompletableFuture<HttpResponse<String>> held =
          send(
              "Classify this ticket: please refund my card, reach me at "
                  + EmbeddedDemo.RESTRICTED_EMAIL
                  + ".");
      DemoFailure.await(
          "the activation to start a pod (sidecar -> operator's /activations -> Deployment 1)",
          Duration.ofSeconds(20),
          () -> steps.stream().anyMatch(s -> s.change() == LoadingKubelet.Change.STARTED),
          this::state);
      lastActivation()
          .ifPresent(
              at -> events.add(new Event(at, "operator: activation accepted, scaling from zero")));

      console.line("meanwhile an internal request for the same route");
      Instant spillSent = Instant.now();
      HttpResponse<String> spilled = join(send("Classify this ticket: the invoice PDF is blank."));
      Instant spillAnswered = Instant.now();
      events.add(new Event(spillAnswered, "sidecar: internal request answered (spill-over)"));
      DemoFailure.expect(
          spilled.statusCode() == 200,
          () -> "the internal request answered " + spilled.statusCode() + ": " + spilled.body());
      DemoFailure.expect(
          !held.isDone(), () -> "the restricted request was answered before the pod was ready");

      HttpResponse<String> heldAnswer = join(held);
      Instant heldAnswered = Instant.now();
      events.add(new Event(heldAnswered, "sidecar: held restricted request answered"));
      DemoFailure.expect(
          heldAnswer.statusCode() == 200,
          () ->
              "the held restricted request answered "
                  + heldAnswer.statusCode()
                  + ": "
                  + heldAnswer.body());
      Instant ready =
          steps.stream()
              .filter(s -> s.change() == LoadingKubelet.Change.READY)
              .map(LoadingKubelet.Step::at)
              .findFirst()
              .orElseThrow(() -> new DemoFailure("the held request was answered, no pod is ready"));
      DemoFailure.expect(
          !heldAnswered.isBefore(ready),
          () -> "the held request was answered before the pod was ready");

      List<LocalSidecar.AccessLine> lines = sidecar.accessSince(seen, 2, Duration.ofSeconds(5));
      LocalSidecar.AccessLine spillLine = lines.get(0);
      LocalSidecar.AccessLine heldLine = lines.get(1);
      DemoFailure.expect(
          !spillLine.backend().equals(EmbeddedDemo.VLLM_BACKEND)
              && "internal".equals(spillLine.fields().get("data_class")),
          () -> "the internal request was not spilled over: " + spillLine.text());
      DemoFailure.expect(
          heldLine.backend().equals(EmbeddedDemo.VLLM_BACKEND)
              && List.of(heldLine.fields().getOrDefault("data_class", "").split("\\+"))
                  .contains("restricted"),
          () -> "the restricted request was not served in-cluster: " + heldLine.text());
      Duration spillLatency = Duration.between(spillSent, spillAnswered);
      DemoFailure.expect(
          spillLatency.compareTo(LOAD_TIME) < 0,
          () -> "the spill-over took " + spillLatency.toMillis() + " ms, not at once");
      Duration heldFor = Duration.between(heldSent, heldAnswered);
      console.detail(
          EmbeddedDemo.pad("internal  -> " + spillLine.backend(), 34)
              + "answered in "
              + spillLatency.toMillis()
              + " ms, while the pod loaded");
      console.detail(
          EmbeddedDemo.pad("restricted -> " + heldLine.backend(), 34)
              + "held "
              + heldFor.toMillis()
              + " ms, answered once the pod was ready");

      List<String> bodies = externalBodies.get();
      int restrictedOutside =
          (int)
              bodies.subList(externalBefore, bodies.size()).stream()
                  .filter(b -> b.contains(EmbeddedDemo.RESTRICTED_EMAIL))
                  .count();
      DemoFailure.expect(
          restrictedOutside == 0,
          () -> restrictedOutside + " restricted requests reached a hosted stand-in");
      console.ok(
          "0 restricted requests at the hosted stand-ins; "
              + (bodies.size() - externalBefore)
              + " internal one spilled over");

      List<String> sidecarMetrics =
          metricLines(
              sidecar.managementUrl() + "/metrics",
              "aihandler_spillovers_total",
              "aihandler_holds_total",
              "aihandler_activations_total");
      DemoFailure.expect(
          sidecarMetrics.stream()
                  .anyMatch(l -> l.startsWith("aihandler_spillovers_total") && l.contains(ROUTE))
              && sidecarMetrics.stream()
                  .anyMatch(
                      l ->
                          l.startsWith("aihandler_holds_total") && l.contains("outcome=\"served\""))
              && sidecarMetrics.stream()
                  .anyMatch(
                      l ->
                          l.startsWith("aihandler_activations_total")
                              && l.contains("result=\"accepted\"")),
          () -> "the sidecar's metrics miss the spill-over, hold or activation: " + sidecarMetrics);
      List<String> operatorMetrics =
          metricLines(
                  operatorMetricsUrl + "/metrics",
                  "aihandler_operator_activations_total",
                  "aihandler_operator_gpu_hours")
              .stream()
              .filter(l -> l.contains(EmbeddedDemo.VLLM_BACKEND))
              .toList();
      DemoFailure.expect(
          operatorMetrics.stream()
              .anyMatch(
                  l ->
                      l.startsWith("aihandler_operator_activations_total")
                          && l.contains("result=\"accepted\"")),
          () -> "the operator's metrics count no accepted activation: " + operatorMetrics);
      console.line("sidecar /metrics");
      sidecarMetrics.forEach(console::detail);
      console.line("operator /metrics");
      operatorMetrics.forEach(console::detail);

      console.progress("no more requests: letting the idle window pass");
      letIdleWindowPass();
      awaitScaledToZero(2);
      List<ScalingEvent> recorded =
          Optional.ofNullable(backend().getStatus().getScalingHistory()).orElse(List.of());
      List<String> steps = recorded.stream().map(e -> e.from() + " -> " + e.to()).toList();
      DemoFailure.expect(
          steps.size() >= 3
              && steps
                  .subList(steps.size() - 3, steps.size())
                  .equals(List.of("1 -> 0", "0 -> 1", "1 -> 0")),
          () ->
              "status.scalingHistory does not end with the two scale-downs to zero and the"
                  + " wake-up between them: "
                  + recorded);
      List<Integer> history = recorded.stream().map(ScalingEvent::to).toList();
      List<String> scalingEvents =
          client.v1().events().inNamespace(EmbeddedDemo.PLATFORM).list().getItems().stream()
              .filter(e -> EmbeddedDemo.VLLM_BACKEND.equals(e.getInvolvedObject().getName()))
              .filter(e -> e.getReason() != null && e.getReason().contains("Scaled"))
              .map(e -> e.getReason() + ": " + e.getMessage())
              .toList();
      DemoFailure.expect(
          scalingEvents.stream().anyMatch(e -> e.startsWith("ScaledToZero"))
              && scalingEvents.stream().anyMatch(e -> e.startsWith("ScaledFromZero")),
          () -> "no ScaledToZero and ScaledFromZero Events for the backend: " + scalingEvents);
      DemoFailure.expect(
          scalingEvents.stream().filter(e -> e.contains("Scaled from 1 to 0")).count() >= 2,
          () -> "expected two scale-downs to zero among the backend's Events: " + scalingEvents);
      printTimeline(start);
      console.line("status.scalingHistory (the last three of " + recorded.size() + ")");
      recorded
          .subList(recorded.size() - 3, recorded.size())
          .forEach(
              e ->
                  console.detail(
                      EmbeddedDemo.abbreviate(
                          e.from() + " -> " + e.to() + "  " + e.reason(), 150)));
      console.line("kubectl get events -n " + EmbeddedDemo.PLATFORM + " (the backend's scaling)");
      scalingEvents.forEach(e -> console.detail(EmbeddedDemo.abbreviate(e, 150)));
      var gpu = backend().getStatus().getGpuUsage();
      Double saved = gpu == null ? null : gpu.gpuHoursSaved();
      if (gpu != null) {
        console.line(
            "status.gpuUsage: "
                + String.format(java.util.Locale.ROOT, "%.3f", gpu.gpuHoursUsed())
                + " GPU-hours used, "
                + String.format(java.util.Locale.ROOT, "%.3f", saved)
                + " saved by scale to zero (on the operator's clock, which moved "
                + operatorClock.ahead().toMinutes()
                + "m ahead)");
      }
      console.ok(
          "woken on demand, held restricted data until its own pod was ready, spilled the rest,"
              + " back to zero");
      return new Outcome(
          readyAtZero,
          inOrder().stream().map(Event::what).toList(),
          exchange(heldLine),
          heldFor,
          exchange(spillLine),
          spillLatency,
          restrictedOutside,
          sidecarMetrics,
          operatorMetrics,
          history,
          scalingEvents,
          saved);
    } finally {
      sync.shutdownNow();
    }
  }

  /** Moves the operator's clock past the scale-to-zero window; the demo does not wait a minute. */
  private void letIdleWindowPass() {
    Duration step = Duration.ofMinutes(2);
    operatorClock.advance(step);
    console.detail(
        "the operator's clock moves "
            + step.toMinutes()
            + "m ahead (now "
            + operatorClock.ahead().toMinutes()
            + "m ahead of this machine's): the idle window of "
            + SCALE_TO_ZERO_AFTER
            + " passes at its next reading");
  }

  private void awaitScaledToZero(int times) {
    DemoFailure.await(
        "the backend to scale to zero and its pods to go",
        WAIT,
        () ->
            steps.stream().filter(s -> s.change() == LoadingKubelet.Change.DELETED).count() >= times
                && Integer.valueOf(0).equals(backend().getStatus().getDesiredReplicas()),
        this::state);
    events.add(new Event(Instant.now(), "operator: scaled to zero"));
  }

  /** Waits until the sidecar runs on a config that gives the backend this capacity state. */
  private void awaitSidecarSeesState(String state) {
    DemoFailure.await(
        "the sidecar to load a config with " + EmbeddedDemo.VLLM_BACKEND + " " + state,
        WAIT,
        () -> {
          String text;
          String configured;
          try {
            text = Files.readString(sidecarConfig);
            configured = capacityState(text);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return state.equals(configured) && sha256(text).equals(sidecarConfigHash());
        },
        () -> {
          String text;
          try {
            text = Files.readString(sidecarConfig);
            return "config file says "
                + capacityState(text)
                + (sha256(text).equals(sidecarConfigHash())
                    ? ", loaded by the sidecar"
                    : ", not loaded by the sidecar yet")
                + "; "
                + state();
          } catch (IOException e) {
            return "config file unreadable: " + e + "; " + state();
          }
        });
  }

  private String sidecarConfigHash() {
    return readJson(get(sidecar.managementUrl() + "/readyz")).path("configSha256").asText();
  }

  private static String capacityState(String yaml) throws IOException {
    for (JsonNode backend : YAML.readTree(yaml).path("backends")) {
      if (backend.path("name").asText().equals(EmbeddedDemo.VLLM_BACKEND)) {
        return backend.at("/capacity/state").asText("");
      }
    }
    return "";
  }

  private CompletableFuture<HttpResponse<String>> send(String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", ROUTE);
    ObjectNode user = body.putArray("messages").addObject();
    user.put("role", "user");
    user.put("content", message);
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create(sidecar.apiUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static DemoReport.Exchange exchange(LocalSidecar.AccessLine line) {
    return new DemoReport.Exchange(
        "cold start", "http", ROUTE, line.status(), line.route(), line.backend(), line.attempts());
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new DemoFailure("a request through the sidecar failed: " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new DemoFailure("a request through the sidecar had no answer in 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted", e);
    }
  }

  private void printTimeline(Instant start) {
    console.line("timeline (seconds since the scene began)");
    for (Event e : inOrder()) {
      double seconds = Math.max(0, Duration.between(start, e.at()).toMillis()) / 1000.0;
      console.detail(EmbeddedDemo.pad(String.format("%6.1f s", seconds), 10) + e.what());
    }
  }

  private List<Event> inOrder() {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort((a, b) -> a.at().compareTo(b.at()));
    return sorted;
  }

  private ModelBackend backend() {
    return client
        .resources(ModelBackend.class)
        .inNamespace(EmbeddedDemo.PLATFORM)
        .withName(EmbeddedDemo.VLLM_BACKEND)
        .get();
  }

  private Optional<Condition> readyCondition() {
    return Optional.ofNullable(backend().getStatus().getConditions()).orElse(List.of()).stream()
        .filter(c -> "Ready".equals(c.getType()))
        .findFirst();
  }

  /** When the activation endpoint recorded the wake-up, on the operator's clock. */
  private Optional<Instant> lastActivation() {
    return Optional.ofNullable(backend().getStatus().getLastActivationTime())
        .map(Instant::parse)
        .map(at -> at.minus(operatorClock.ahead()));
  }

  private String state() {
    ModelBackend b = backend();
    return "desiredReplicas "
        + b.getStatus().getDesiredReplicas()
        + ", readyReplicas "
        + b.getStatus().getReadyReplicas()
        + ", kubelet steps "
        + steps.stream().map(LoadingKubelet.Step::what).toList()
        + (syncFailure == null ? "" : ", last ConfigMap sync failed: " + syncFailure);
  }

  private List<String> metricLines(String url, String... prefixes) {
    return get(url)
        .lines()
        .filter(l -> !l.startsWith("#"))
        .filter(l -> java.util.Arrays.stream(prefixes).anyMatch(l::startsWith))
        .sorted()
        .toList();
  }

  private String get(String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new DemoFailure("GET " + url + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted", e);
    }
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new DemoFailure("not JSON: " + EmbeddedDemo.abbreviate(text, 200), e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
