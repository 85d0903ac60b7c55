package io.aihandler.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.testing.ServerSideApplyDispatcher;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The operator at scale: starts the embedded Kubernetes API (fabric8's CRUD mock with the
 * server-side-apply shim and this project's CRDs), runs the real operator process
 * ({@code io.aihandler.operator.OperatorMain}, whatever reconcilers it registers) against it, creates
 * many ModelBackends, RoutingPolicies and Workflows at once, and reports how long the operator
 * takes to give every object a {@code Ready} condition for its current generation, how many API
 * requests it made, how many writes it makes during a following idle period, and its memory.
 *
 * <p>Settings are system properties: {@code bench.backends} (200), {@code bench.workflows}
 * (1000), {@code bench.namespaces} (20), {@code bench.idleSeconds} (60), {@code
 * bench.timeoutSeconds} (300), {@code bench.report} (a Markdown file to write), {@code
 * bench.operatorLog} (the operator's output), {@code bench.operatorJavaOpts} (its JVM flags).
 */
public final class OperatorScale {

  /** The benchmark's own requests carry this user agent, so the operator's can be told apart. */
  static final String BENCH_AGENT = "aihandler-bench";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PLATFORM = "llm-platform";
  private static final String OPERATOR_NAMESPACE = "aihandler-system";

  private record Settings(
      int backends,
      int workflows,
      int namespaces,
      Duration idle,
      Duration timeout,
      Path report,
      Path operatorLog,
      String operatorJavaOpts) {

    static Settings fromProperties() {
      return new Settings(
          Integer.getInteger("bench.backends", 200),
          Integer.getInteger("bench.workflows", 1000),
          Integer.getInteger("bench.namespaces", 20),
          Duration.ofSeconds(Integer.getInteger("bench.idleSeconds", 60)),
          Duration.ofSeconds(Integer.getInteger("bench.timeoutSeconds", 300)),
          Path.of(System.getProperty("bench.report", "operator-scale.md")),
          Path.of(System.getProperty("bench.operatorLog", "operator.log")),
          System.getProperty("bench.operatorJavaOpts", ""));
    }
  }

  /** How far the objects of one kind have got. */
  private record KindProgress(String kind, int total, int settled, int ready, Map<String, Integer> finalConditions) {}

  /** Held so the level set on it stays: the mock server logs every request at INFO. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private OperatorScale() {}

  public static void main(String[] args) throws Exception {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    Settings settings = Settings.fromProperties();
    CountingDispatcher requests =
        new CountingDispatcher(new ServerSideApplyDispatcher(new KubernetesCrudDispatcher()), BENCH_AGENT);
    KubernetesMockServer server =
        new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), requests, false);
    server.init();
    String masterUrl = server.createClient().getConfiguration().getMasterUrl();
    KubernetesClient admin =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl(masterUrl).withTrustCerts(true)
                .withNamespace("default").withUserAgent(BENCH_AGENT).withRequestTimeout(60_000).build())
            .build();
    Process operator = null;
    try {
      installCrds(admin);
      createNamespacesAndSecret(admin, settings);

      int metricsPort = freePort();
      operator = startOperator(masterUrl, metricsPort, settings);
      Instant launched = Instant.now();
      awaitOperatorReady(operator, metricsPort, settings.timeout());
      Duration startup = Duration.between(launched, Instant.now());
      Thread.sleep(2000);
      Memory idleMemory = Memory.of(operator.pid());
      CountingDispatcher.Snapshot beforeCreate = requests.snapshot();
      log("operator ready in %d ms; RSS %d MiB; creating %d ModelBackends, %d RoutingPolicies and %d Workflows",
          startup.toMillis(), idleMemory.rssKib() / 1024, settings.backends(), settings.workflows(), settings.workflows());

      Instant created0 = Instant.now();
      createAll(admin, settings);
      Duration creation = Duration.between(created0, Instant.now());
      log("created in %d ms; waiting for every object to carry Ready for its generation", creation.toMillis());

      Duration settledAfter = null;
      Duration allReadyAfter = null;
      List<KindProgress> progress = List.of();
      long peakRss = 0;
      Instant deadline = created0.plus(settings.timeout());
      while (Instant.now().isBefore(deadline)) {
        if (!operator.isAlive()) {
          throw new IllegalStateException("the operator exited with " + operator.exitValue() + "; see " + settings.operatorLog());
        }
        peakRss = Math.max(peakRss, Memory.of(operator.pid()).rssKib());
        progress = progress(admin);
        int total = progress.stream().mapToInt(KindProgress::total).sum();
        int settled = progress.stream().mapToInt(KindProgress::settled).sum();
        int ready = progress.stream().mapToInt(KindProgress::ready).sum();
        Duration elapsed = Duration.between(created0, Instant.now());
        if (allReadyAfter == null && ready == total) {
          allReadyAfter = elapsed;
        }
        if (settled == total) {
          settledAfter = elapsed;
          break;
        }
        log("%5.1f s: %d of %d objects have a current Ready condition (%d Ready=True)",
            elapsed.toMillis() / 1000.0, settled, total, ready);
        Thread.sleep(1000);
      }
      CountingDispatcher.Snapshot afterSettle = requests.snapshot();
      Memory settledMemory = Memory.of(operator.pid());

      log("%s; idle for %d s", settledAfter == null ? "not settled before the timeout" : "settled after " + settledAfter.toMillis() + " ms",
          settings.idle().toSeconds());
      Instant idle0 = Instant.now();
      while (Duration.between(idle0, Instant.now()).compareTo(settings.idle()) < 0) {
        peakRss = Math.max(peakRss, Memory.of(operator.pid()).rssKib());
        Thread.sleep(1000);
      }
      CountingDispatcher.Snapshot afterIdle = requests.snapshot();
      Memory idleAfter = Memory.of(operator.pid());
      progress = progress(admin);

      String report =
          report(settings, startup, creation, settledAfter, allReadyAfter, progress, beforeCreate, afterSettle,
              afterIdle, idleMemory, settledMemory, idleAfter, Math.max(peakRss, idleAfter.hwmKib()));
      Files.writeString(settings.report(), report);
      System.out.println();
      System.out.println(report);
    } finally {
      if (operator != null) {
        operator.destroy();
        operator.waitFor();
      }
      admin.close();
      server.destroy();
    }
  }

  // ---- the workload ----

  private static void installCrds(KubernetesClient client) throws IOException {
    Path manifests = findUp("crds/manifests");
    try (Stream<Path> files = Files.list(manifests)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
          client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
      }
    }
  }

  private static void createNamespacesAndSecret(KubernetesClient client, Settings settings) {
    create(client, """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %s}
        """.formatted(OPERATOR_NAMESPACE));
    create(client, """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %s}
        """.formatted(PLATFORM));
    for (int n = 0; n < settings.namespaces(); n++) {
      create(client, """
          apiVersion: v1
          kind: Namespace
          metadata:
            name: %s
            labels: {team: apps}
          """.formatted(appNamespace(n)));
    }
    create(client, """
        apiVersion: v1
        kind: Secret
        metadata:
          name: openai-api-key
          namespace: %s
          labels: {aihandler.io/credentials: "true"}
        type: Opaque
        stringData: {api-key: sk-bench-not-a-real-key}
        """.formatted(PLATFORM));
  }

  /** Every fourth backend is a vLLM deployment, the rest hosted OpenAI models. */
  private static boolean isVllm(int backend) {
    return backend % 4 == 0;
  }

  private static String backendName(int backend) {
    return (isVllm(backend) ? "vllm-" : "hosted-") + String.format("%03d", backend);
  }

  private static String appNamespace(int n) {
    return String.format("team-%02d", n);
  }

  private static void createAll(KubernetesClient client, Settings settings) throws Exception {
    List<String> documents = new ArrayList<>();
    for (int b = 0; b < settings.backends(); b++) {
      documents.add(isVllm(b) ? """
          apiVersion: aihandler.io/v1alpha1
          kind: ModelBackend
          metadata: {name: %s, namespace: %s}
          spec:
            vllm:
              model: hf://meta-llama/Llama-3.1-8B-Instruct
              servedModelName: llama-3.1-8b
              gpus: 1
              replicas: 1
            pricing: {gpuHourly: 1.2}
          """.formatted(backendName(b), PLATFORM) : """
          apiVersion: aihandler.io/v1alpha1
          kind: ModelBackend
          metadata: {name: %s, namespace: %s}
          spec:
            hosted:
              provider: openai
              model: gpt-4o-mini
              credentials:
                secretRef: {name: openai-api-key, key: api-key}
              shareWith:
                namespaceSelector:
                  matchLabels: {team: apps}
              verify: false
            pricing: {inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6}
          """.formatted(backendName(b), PLATFORM));
    }
    int vllmCount = (settings.backends() + 3) / 4;
    int hostedCount = settings.backends() - vllmCount;
    for (int w = 0; w < settings.workflows(); w++) {
      String namespace = appNamespace(w % settings.namespaces());
      String hosted = backendName(hostedBackend(w % Math.max(1, hostedCount)));
      String vllm = backendName((w % Math.max(1, vllmCount)) * 4);
      documents.add("""
          apiVersion: aihandler.io/v1alpha1
          kind: RoutingPolicy
          metadata: {name: app-%04d, namespace: %s}
          spec:
            routes:
            - name: chat
              strategy: failover
              targets:
              - backend: {name: %s, namespace: %s}
                priority: 0
              - backend: {name: %s, namespace: %s}
                priority: 1
            dataClasses:
            - name: restricted
              allowedLocalities: [in-cluster]
              detectors: [{type: email}, {type: creditCard}]
            - name: internal
              allowedLocalities: [in-cluster, external]
            defaultDataClass: internal
          """.formatted(w, namespace, vllm, PLATFORM, hosted, PLATFORM));
      documents.add("""
          apiVersion: aihandler.io/v1alpha1
          kind: Workflow
          metadata: {name: app-%04d, namespace: %s}
          spec:
            policyRef: {name: app-%04d}
            tasks:
            - name: classify-ticket
              route: chat
              prompt:
                system: You classify support tickets. Answer with JSON only.
                user: "Classify this ticket: {{ticket}}"
              variables:
              - name: ticket
              output:
                schema:
                  type: object
                  properties:
                    category: {type: string, enum: [billing, bug, how-to, other]}
                  required: [category]
          """.formatted(w, namespace, w));
    }
    // "At once": as many concurrent creators as a busy GitOps sync would use.
    try (ExecutorService creators = Executors.newFixedThreadPool(16)) {
      List<Future<?>> done = new ArrayList<>();
      for (String document : documents) {
        done.add(creators.submit(() -> create(client, document)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
  }

  /** The n-th hosted backend's index (every index not divisible by four). */
  private static int hostedBackend(int n) {
    return n + n / 3 + 1;
  }

  private static void create(KubernetesClient client, String yaml) {
    KubernetesSerialization serialization = client.getKubernetesSerialization();
    HasMetadata object = serialization.unmarshal(yaml);
    if (object instanceof ModelBackend backend) {
      client.resources(ModelBackend.class).resource(backend).create();
    } else if (object instanceof RoutingPolicy policy) {
      client.resources(RoutingPolicy.class).resource(policy).create();
    } else if (object instanceof Workflow workflow) {
      client.resources(Workflow.class).resource(workflow).create();
    } else {
      client.resource(object).create();
    }
  }

  // ---- progress ----

  private static List<KindProgress> progress(KubernetesClient client) {
    return List.of(
        progress("ModelBackend", client.resources(ModelBackend.class).inAnyNamespace().list().getItems(), client),
        progress("RoutingPolicy", client.resources(RoutingPolicy.class).inAnyNamespace().list().getItems(), client),
        progress("Workflow", client.resources(Workflow.class).inAnyNamespace().list().getItems(), client));
  }

  /**
   * An object is settled when its status was written for its current generation and carries a
   * Ready condition; its final condition is that Ready's status and reason.
   */
  private static KindProgress progress(String kind, List<? extends HasMetadata> items, KubernetesClient client) {
    int settled = 0;
    int ready = 0;
    Map<String, Integer> conditions = new TreeMap<>();
    for (HasMetadata item : items) {
      JsonNode node = JSON.valueToTree(client.getKubernetesSerialization().convertValue(item, Map.class));
      long generation = node.at("/metadata/generation").asLong(1);
      JsonNode status = node.path("status");
      JsonNode readyCondition = null;
      for (JsonNode condition : status.path("conditions")) {
        if ("Ready".equals(condition.path("type").asText())) {
          readyCondition = condition;
        }
      }
      boolean current = status.path("observedGeneration").asLong(-1) >= generation;
      if (readyCondition != null && current) {
        settled++;
        if ("True".equals(readyCondition.path("status").asText())) {
          ready++;
        }
        String key = "Ready=" + readyCondition.path("status").asText() + " (" + readyCondition.path("reason").asText("-") + ")";
        conditions.merge(key, 1, Integer::sum);
      } else {
        conditions.merge("no current Ready condition", 1, Integer::sum);
      }
    }
    return new KindProgress(kind, items.size(), settled, ready, conditions);
  }

  // ---- the operator process ----

  private static Process startOperator(String masterUrl, int metricsPort, Settings settings) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    if (!settings.operatorJavaOpts().isBlank()) {
      command.addAll(List.of(settings.operatorJavaOpts().trim().split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.aihandler.operator.OperatorMain"));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("KUBERNETES_MASTER", masterUrl);
    env.put("KUBERNETES_TRUST_CERTIFICATES", "true");
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.put("KUBERNETES_NAMESPACE", OPERATOR_NAMESPACE);
    env.put("OPERATOR_NAMESPACE", OPERATOR_NAMESPACE);
    env.put("LEADER_ELECTION_LEASE", "");
    env.put("WEBHOOK_PORT", Integer.toString(freePort()));
    env.put("METRICS_PORT", Integer.toString(metricsPort));
    env.put("LOG_LEVEL", "warn");
    builder.redirectErrorStream(true).redirectOutput(settings.operatorLog().toFile());
    return builder.start();
  }

  private static void awaitOperatorReady(Process operator, int metricsPort, Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/readyz")).timeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited with " + operator.exitValue() + " before it was ready");
      }
      try {
        if (http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the operator was not ready within " + timeout);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Resident memory of a process, now and at its peak, from /proc. */
  record Memory(long rssKib, long hwmKib) {
    static Memory of(long pid) {
      try {
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            rss = Long.parseLong(line.replaceAll("\\D", ""));
          } else if (line.startsWith("VmHWM:")) {
            hwm = Long.parseLong(line.replaceAll("\\D", ""));
          }
        }
        return new Memory(rss, hwm);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the memory of process " + pid, e);
      }
    }
  }

  // ---- the report ----

  private static String report(
      Settings settings,
      Duration startup,
      Duration creation,
      Duration settledAfter,
      Duration allReadyAfter,
      List<KindProgress> progress,
      CountingDispatcher.Snapshot beforeCreate,
      CountingDispatcher.Snapshot afterSettle,
      CountingDispatcher.Snapshot afterIdle,
      Memory idle,
      Memory settled,
      Memory afterIdleMemory,
      long peakKib) {
    StringBuilder out = new StringBuilder();
    int total = progress.stream().mapToInt(KindProgress::total).sum();
    out.append("| measure | value |\n| --- | --- |\n");
    row(out, "objects created at once", "%d ModelBackends (%d vLLM, %d hosted), %d RoutingPolicies, %d Workflows in %d namespaces"
        .formatted(settings.backends(), (settings.backends() + 3) / 4, settings.backends() - (settings.backends() + 3) / 4,
            settings.workflows(), settings.workflows(), settings.namespaces()));
    row(out, "operator start to ready (/readyz 200)", startup.toMillis() + " ms");
    row(out, "creating them (16 concurrent clients)", creation.toMillis() + " ms");
    row(out, "until every object has a Ready condition for its generation",
        settledAfter == null ? "**not reached** within " + settings.timeout().toSeconds() + " s" : settledAfter.toMillis() + " ms after the first create");
    row(out, "until every object is Ready=True",
        allReadyAfter == null ? "not reached (see final conditions)" : allReadyAfter.toMillis() + " ms");
    for (KindProgress kind : progress) {
      row(out, kind.kind() + " final conditions (" + kind.total() + ")", kind.finalConditions().entrySet().stream()
          .map(e -> e.getValue() + " " + e.getKey()).reduce((a, b) -> a + ", " + b).orElse("none"));
    }
    CountingDispatcher.Snapshot working = afterSettle.minus(beforeCreate);
    row(out, "operator API requests from the first create until settled", working.operatorTotal() + " (" + working.operatorByVerb() + ")");
    row(out, "of which writes", Long.toString(working.operatorWrites()));
    row(out, "operator requests per object", String.format("%.1f", working.operatorTotal() / (double) Math.max(1, total)));
    CountingDispatcher.Snapshot quiet = afterIdle.minus(afterSettle);
    row(out, "operator writes during the following " + settings.idle().toSeconds() + " s idle",
        quiet.operatorWrites() + (quiet.operatorWrites() == 0 ? "" : " (" + quiet.operatorWritesByPath() + ")"));
    row(out, "operator requests of any kind during the idle period", quiet.operatorTotal() + " (" + quiet.operatorByVerb() + ")");
    row(out, "operator RSS: idle before / settled / after the idle period / peak",
        "%d / %d / %d / %d MiB".formatted(idle.rssKib() / 1024, settled.rssKib() / 1024, afterIdleMemory.rssKib() / 1024, peakKib / 1024));
    row(out, "operator JVM flags", settings.operatorJavaOpts().isBlank() ? "JVM defaults" : "`" + settings.operatorJavaOpts().trim() + "`");
    row(out, "total objects", Integer.toString(total));
    return out.toString();
  }

  private static void row(StringBuilder out, String measure, String value) {
    out.append("| ").append(measure).append(" | ").append(value).append(" |\n");
  }

  private static Path findUp(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }

  private static void log(String format, Object... args) {
    System.out.println("   " + String.format(format, args));
  }
}
