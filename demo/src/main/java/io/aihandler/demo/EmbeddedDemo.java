package io.aihandler.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseTextConfig;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.advisor.AdvisorSettings;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.workflow.WorkflowObjectNames;
import io.aihandler.demo.DemoReport.Exchange;
import io.aihandler.demo.cluster.AdjustableClock;
import io.aihandler.demo.cluster.AdmissionWebhookCall;
import io.aihandler.demo.cluster.ClusterNetworkStandIn;
import io.aihandler.demo.cluster.LocalKubelet;
import io.aihandler.demo.standin.AnthropicStandIn;
import io.aihandler.demo.standin.GeminiStandIn;
import io.aihandler.demo.standin.OpenAiStandIn;
import io.aihandler.demo.standin.ProviderStandIn;
import io.aihandler.demo.standin.VllmStandIn;
import io.aihandler.operator.AiHandlerOperator;
import io.aihandler.operator.OperatorSettings;
import io.aihandler.router.config.InvalidRouterConfigException;
import io.aihandler.testing.prometheus.PrometheusServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The whole product on one machine, scene by scene: the embedded API server, the real operator,
 * {@code examples/} applied, the cluster's part played by {@link LocalKubelet} and {@link
 * ClusterNetworkStandIn}, the real sidecar on the rendered config, and requests through it with the
 * official OpenAI SDK. Every scene checks what it shows and fails with a {@link DemoFailure} naming
 * what did not hold.
 */
public final class EmbeddedDemo implements AutoCloseable {

  static final String PLATFORM = "llm-platform";
  static final String APP_NAMESPACE = "support";
  static final String OPERATOR_NAMESPACE = "aihandler-system";
  static final String WORKFLOW = "support-tickets";
  static final String VLLM_BACKEND = "llama-3-3-70b";
  static final String VLLM_SERVED_MODEL = "llama-3.3-70b";

  /** The embedding model of examples/, also served by vLLM; its pods are started like Llama's. */
  static final String EMBEDDING_BACKEND = "bge-m3";

  static final int EMBEDDING_DIMENSIONS = 1024;

  /** ModelBackends, RoutingPolicy and Workflow of examples/. */
  static final int AIHANDLER_RESOURCES = 8;

  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** PII in the restricted scene; the external stand-ins must never see any of it. */
  static final String RESTRICTED_EMAIL = "jane.doe@example.com";

  static final String RESTRICTED_IBAN = "DE89 3704 0044 0532 0130 00";

  private final DemoConsole console;
  private final DemoKeys keys = DemoKeys.generate();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Exchange> exchanges = new ArrayList<>();
  // The mock servers log every request through java.util.logging; the scenes say what matters.
  // JUL holds loggers weakly, so keep them while the demo runs.
  private final List<java.util.logging.Logger> quieted =
      Stream.of("io.fabric8.mockwebserver", "mockwebserver3", "okhttp3", "io.helidon")
          .map(java.util.logging.Logger::getLogger)
          .peek(l -> l.setLevel(java.util.logging.Level.WARNING))
          .toList();

  private Path workDirectory;
  private MockKubernetesApi api;
  private KubernetesClient client;
  private AiHandlerOperator operator;
  private OperatorSettings settings;
  private VllmStandIn vllm;
  private VllmStandIn embeddingVllm;
  private OpenAiStandIn openai;
  private AnthropicStandIn anthropic;
  private GeminiStandIn gemini;
  private LocalSidecar sidecar;
  private OpenAIClient sdk;
  // Where the operator's advisor expects Prometheus; empty when none is installed.
  private Optional<Integer> prometheusPort = Optional.empty();
  private Runnable sidecarConfigRefresh = () -> {};
  private Path sidecarConfigFile;
  // The operator's clock: the cold-start scene moves it past idle windows.
  private final AdjustableClock operatorClock = new AdjustableClock();
  // The pod's projected tokens, minted once per pod and audience and known to the API's
  // TokenReviews.
  private final Map<String, String> mintedTokens = new java.util.concurrent.ConcurrentHashMap<>();

  public EmbeddedDemo(DemoConsole console) {
    this.console = console;
  }

  /** Runs every scene; the report holds what each one established. */
  public DemoReport play() {
    try {
      workDirectory = Files.createTempDirectory("aihandler-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp directory", e);
    }
    DemoReport.Startup startup = startClusterAndOperator();
    DemoReport.Applied applied = applyExamples();
    DemoReport.Injection injection = admitAppPodAndStartSidecar();
    console.scene(4, "Requests through the sidecar (official OpenAI Java SDK and plain HTTP)");
    DemoReport.Structured structured = structuredOutput();
    routedChats();
    DemoReport.Restricted restricted = restrictedData();
    DemoReport.Fallback fallback = fallbackAfterOverload();
    DemoReport.Repair repair = repairOfInvalidOutput();
    DemoReport.Embeddings embeddings = embeddingsKeepRestrictedBatchesInside();
    DemoReport.Responses responses = responsesWithValidatedOutput();
    DemoReport.Metrics metrics = metrics();
    console.scene(6, "Shadow evaluation of classify-ticket, and the advice");
    ShadowEvaluationScene.Outcome shadow =
        new ShadowEvaluationScene(
                client,
                console,
                vllm,
                sidecarConfigRefresh,
                (task, variables) -> task("shadow", task, variables),
                sidecar.managementUrl(),
                prometheusPort)
            .play();
    console.scene(7, "Cold capacity: scale to zero, wake on demand, hold or spill over");
    ColdStartScene.Outcome coldStart =
        new ColdStartScene(
                client,
                console,
                vllm,
                operatorClock,
                sidecarConfigRefresh,
                sidecar,
                sidecarConfigFile,
                "http://127.0.0.1:" + operator.metricsPort(),
                this::externalRequestBodies)
            .play();
    exchanges.add(coldStart.spilled());
    exchanges.add(coldStart.held());
    summary();
    return new DemoReport(
        startup,
        applied,
        injection,
        List.copyOf(exchanges),
        structured,
        restricted,
        fallback,
        repair,
        embeddings,
        responses,
        metrics,
        shadow,
        coldStart);
  }

  /** The bodies of every model call the hosted stand-ins received. */
  private List<String> externalRequestBodies() {
    return Stream.of(openai, anthropic, gemini)
        .flatMap(s -> s.generations().stream())
        .map(ProviderStandIn.Received::body)
        .toList();
  }

  private LocalKubelet kubelet() {
    return new LocalKubelet(
        client,
        (namespace, serviceAccount, pod, audience) ->
            mintedTokens.computeIfAbsent(
                String.join("/", namespace, serviceAccount, pod, audience),
                k -> {
                  String token = DemoKeys.randomToken();
                  api.tokens().issue(token, namespace, serviceAccount, pod, audience);
                  return token;
                }));
  }

  // ---- scene 1 ----

  private DemoReport.Startup startClusterAndOperator() {
    console.scene(1, "Embedded Kubernetes API and the AI Handler operator");
    console.progress(
        "starting fabric8's mock API server (CRUD mode) and installing crds/manifests/");
    ExampleManifests.repositoryRoot();
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    List<String> crds =
        client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
            .map(crd -> crd.getMetadata().getName())
            .sorted()
            .toList();
    DemoFailure.expect(crds.size() == 3, () -> "expected the three AI Handler CRDs, found " + crds);
    console.ok("API server at " + client.getMasterUrl() + " with CRDs " + String.join(", ", crds));

    console.progress(
        "starting local stand-ins of vLLM and of the OpenAI, Anthropic and Gemini APIs");
    vllm = startVllmStandIn(() -> new VllmStandIn(VLLM_SERVED_MODEL), 2);
    embeddingVllm =
        startVllmStandIn(() -> VllmStandIn.embedding(EMBEDDING_BACKEND, EMBEDDING_DIMENSIONS), 3);
    openai = (OpenAiStandIn) new OpenAiStandIn(keys.openai()).start();
    anthropic = (AnthropicStandIn) new AnthropicStandIn(keys.anthropic()).start();
    gemini = (GeminiStandIn) new GeminiStandIn(keys.gemini()).start();
    for (ProviderStandIn standIn : List.of(vllm, embeddingVllm, openai, anthropic, gemini)) {
      console.detail(pad(standIn.name(), 26) + standIn.baseUrl());
    }

    console.progress(
        "starting the operator (no leader election, free ports, hosted providers at their stand-ins)");
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(OPERATOR_NAMESPACE)
                .endMetadata()
                .build())
        .create();
    settings =
        OperatorSettings.fromEnvironment(Map.of("OPERATOR_NAMESPACE", OPERATOR_NAMESPACE))
            .forLocalUse(
                0,
                0,
                new ProviderEndpoints(
                    openai.baseUrl() + "/v1", anthropic.baseUrl(), gemini.baseUrl()));
    if (PrometheusServer.binary().isPresent()) {
      try {
        prometheusPort = Optional.of(PrometheusServer.freePort());
      } catch (IOException e) {
        throw new UncheckedIOException("no free port for Prometheus", e);
      }
      // A static scrape adds no namespace label; the advice refreshes every 2 s for the demo.
      settings =
          settings.withAdvisor(
              AdvisorSettings.defaults()
                  .withPrometheus(URI.create("http://127.0.0.1:" + prometheusPort.get()))
                  .withWindow(Duration.ofMinutes(15), Duration.ofSeconds(2), ""));
    }
    operator = AiHandlerOperator.start(client, settings, operatorClock);
    console.ok(
        "operator running: reconcilers ModelBackend, RoutingPolicy, Workflow, and the Workflow"
            + " advisor");
    console.detail(
        "admission webhooks  https://127.0.0.1:"
            + operator.webhookPort()
            + "/mutate-pods, /validate-workflows (self-managed TLS)");
    console.detail("metrics and health  http://127.0.0.1:" + operator.metricsPort() + "/metrics");
    return new DemoReport.Startup(crds, operator.webhookPort(), operator.metricsPort());
  }

  /**
   * A vLLM stand-in listens where the pod would: port 8000 on an address of its own (the "pod IP"
   * 127.0.0.{@code podAddress}), so the operator's autoscaler reads its metrics as in a cluster.
   * Linux routes all of 127.0.0.0/8 to loopback; elsewhere, or if that port is taken, any free
   * loopback port will do and only the autoscaler's reading is lost.
   */
  private static VllmStandIn startVllmStandIn(Supplier<VllmStandIn> standIns, int podAddress) {
    VllmStandIn standIn = standIns.get();
    try {
      return (VllmStandIn)
          standIn.start(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) podAddress}), 8000);
    } catch (UncheckedIOException | IOException e) {
      standIn.close();
      return (VllmStandIn) standIns.get().start();
    }
  }

  // ---- scene 2 ----

  private DemoReport.Applied applyExamples() {
    console.scene(2, "kubectl apply -f examples/  and what the operator made of it");
    Path root = ExampleManifests.repositoryRoot();
    List<String> applied = new ArrayList<>();
    for (Path file : ExampleManifests.files(root)) {
      List<String> names = new ArrayList<>();
      for (HasMetadata object : ExampleManifests.load(client, List.of(file), keys)) {
        client.resource(object).createOr(NonDeletingOperation::update);
        String id =
            object.getKind()
                + " "
                + (object.getMetadata().getNamespace() == null
                    ? ""
                    : object.getMetadata().getNamespace() + "/")
                + object.getMetadata().getName();
        applied.add(id);
        names.add(
            object.getKind().toLowerCase(java.util.Locale.ROOT)
                + "/"
                + object.getMetadata().getName());
      }
      console.line(pad("examples/" + file.getFileName(), 36) + String.join(", ", names));
    }
    console.detail(
        "(credential placeholders replaced by this run's demo keys; their values are never printed)");

    console.progress(
        "operator reconciling: waiting for the vLLM workload of ModelBackend "
            + PLATFORM
            + "/"
            + VLLM_BACKEND);
    // examples/ asks for a model cache and up to 4 replicas: a PVC and a PodDisruptionBudget too.
    DemoFailure.await(
        "the vLLM Deployment, Service, PersistentVolumeClaim and PodDisruptionBudget",
        SETTLE,
        () ->
            deployment() != null
                && client.services().inNamespace(PLATFORM).withName(VLLM_BACKEND).get() != null
                && !client
                    .persistentVolumeClaims()
                    .inNamespace(PLATFORM)
                    .list()
                    .getItems()
                    .isEmpty()
                && client
                        .policy()
                        .v1()
                        .podDisruptionBudget()
                        .inNamespace(PLATFORM)
                        .withName(VLLM_BACKEND)
                        .get()
                    != null,
        () -> readyTable().toString());
    Deployment deployment = deployment();
    Container vllmContainer = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    String gpus =
        Optional.ofNullable(vllmContainer.getResources().getLimits())
            .map(l -> l.get("nvidia.com/gpu"))
            .map(Quantity::toString)
            .orElse("none");
    Service service = client.services().inNamespace(PLATFORM).withName(VLLM_BACKEND).get();
    PersistentVolumeClaim cache =
        client.persistentVolumeClaims().inNamespace(PLATFORM).list().getItems().stream()
            .findFirst()
            .orElse(null);
    PodDisruptionBudget budget =
        client
            .policy()
            .v1()
            .podDisruptionBudget()
            .inNamespace(PLATFORM)
            .withName(VLLM_BACKEND)
            .get();
    console.line(
        "Deployment "
            + PLATFORM
            + "/"
            + deployment.getMetadata().getName()
            + ": replicas "
            + deployment.getSpec().getReplicas()
            + ", image "
            + vllmContainer.getImage()
            + ", nvidia.com/gpu "
            + gpus
            + " per pod");
    console.detail(
        "args " + String.join(" ", Optional.ofNullable(vllmContainer.getArgs()).orElse(List.of())));
    Optional.ofNullable(vllmContainer.getStartupProbe())
        .ifPresent(
            p ->
                console.detail(
                    "startup probe "
                        + p.getHttpGet().getPath()
                        + " every "
                        + p.getPeriodSeconds()
                        + "s x "
                        + p.getFailureThreshold()
                        + " (= startupTimeout), readiness and liveness probes, preStop drain"));
    console.line(
        "Service "
            + PLATFORM
            + "/"
            + service.getMetadata().getName()
            + ": port "
            + service.getSpec().getPorts().get(0).getPort());
    console.line(
        cache == null
            ? "PersistentVolumeClaim: none"
            : "PersistentVolumeClaim "
                + PLATFORM
                + "/"
                + cache.getMetadata().getName()
                + ": "
                + cache.getSpec().getResources().getRequests().get("storage")
                + " "
                + cache.getSpec().getAccessModes()
                + " (model cache)");
    var maxUnavailable = budget.getSpec().getMaxUnavailable();
    console.line(
        "PodDisruptionBudget "
            + PLATFORM
            + "/"
            + budget.getMetadata().getName()
            + ": maxUnavailable "
            + (maxUnavailable == null
                ? "-"
                : maxUnavailable.getIntVal() != null
                    ? maxUnavailable.getIntVal()
                    : maxUnavailable.getStrVal())
            + " (scaling allows more than one replica)");

    console.progress(
        "no kubelet here: starting the Deployment's pods and reporting them ready (pod IP "
            + vllm.hostAndPort().replaceFirst(":\\d+$", "")
            + ", where the vLLM stand-in listens)");
    List<Pod> pods =
        new ArrayList<>(
            new LocalKubelet(client)
                .runReady(PLATFORM, VLLM_BACKEND, vllm.hostAndPort().replaceFirst(":\\d+$", "")));
    DemoFailure.await(
        "the vLLM Deployment of the embedding model " + EMBEDDING_BACKEND,
        SETTLE,
        () ->
            client.apps().deployments().inNamespace(PLATFORM).withName(EMBEDDING_BACKEND).get()
                != null,
        () -> readyTable().toString());
    pods.addAll(
        new LocalKubelet(client)
            .runReady(
                PLATFORM,
                EMBEDDING_BACKEND,
                embeddingVllm.hostAndPort().replaceFirst(":\\d+$", "")));
    console.line(
        "pods Ready: "
            + String.join(", ", pods.stream().map(p -> p.getMetadata().getName()).toList()));

    console.progress(
        "waiting for every AI Handler resource to be Ready (hosted keys are checked against the stand-ins)");
    DemoFailure.await(
        "every ModelBackend, RoutingPolicy and Workflow to be Ready",
        SETTLE,
        () ->
            readyTable().values().stream().allMatch(row -> row.get(0).equals("True"))
                && readyTable().size() == AIHANDLER_RESOURCES,
        () -> readyTable().toString());
    Map<String, List<String>> table = readyTable();
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("NAMESPACE", "KIND", "NAME", "READY", "REASON", "MESSAGE"));
    table.forEach(
        (id, row) -> {
          String[] parts = id.split(" ", 2);
          String[] name = parts[1].split("/", 2);
          rows.add(
              List.of(
                  name[0], parts[0], name[1], row.get(0), row.get(1), abbreviate(row.get(2), 70)));
        });
    console.line("kubectl get aihandler -A");
    console.table(rows);
    for (ModelBackend backend :
        client.resources(ModelBackend.class).inNamespace(PLATFORM).list().getItems()) {
      condition(
              backend.getStatus() == null ? null : backend.getStatus().getConditions(),
              "CredentialsValid")
          .ifPresent(
              c ->
                  console.detail(
                      backend.getMetadata().getName()
                          + ": CredentialsValid="
                          + c.getStatus()
                          + " ("
                          + c.getReason()
                          + ")"));
    }

    Workflow workflow =
        client.resources(Workflow.class).inNamespace(APP_NAMESPACE).withName(WORKFLOW).get();
    Secret credentials =
        client
            .secrets()
            .inNamespace(APP_NAMESPACE)
            .withName(WorkflowObjectNames.credentialsSecret(workflow))
            .get();
    DemoFailure.expect(
        credentials != null,
        () -> "the operator did not create the credentials Secret of Workflow " + WORKFLOW);
    List<String> entries = credentials.getData().keySet().stream().sorted().toList();
    console.line(
        "Secret "
            + APP_NAMESPACE
            + "/"
            + credentials.getMetadata().getName()
            + " (keys copied where shareWith allows): "
            + String.join(
                ", ",
                entries.stream()
                    .map(
                        e ->
                            e
                                + " ("
                                + java.util.Base64.getDecoder()
                                    .decode(credentials.getData().get(e))
                                    .length
                                + " bytes)")
                    .toList()));
    ConfigMap routerConfig =
        client
            .configMaps()
            .inNamespace(APP_NAMESPACE)
            .withName(WorkflowObjectNames.routerConfigMap(workflow))
            .get();
    DemoFailure.expect(
        routerConfig != null && routerConfig.getData().containsKey(WorkflowObjectNames.CONFIG_KEY),
        () ->
            "the operator did not publish ConfigMap "
                + WorkflowObjectNames.routerConfigMap(workflow)
                + " with "
                + WorkflowObjectNames.CONFIG_KEY);
    String hash = workflow.getStatus().getConfigHash();
    console.line(
        "ConfigMap "
            + APP_NAMESPACE
            + "/"
            + routerConfig.getMetadata().getName()
            + ": "
            + WorkflowObjectNames.CONFIG_KEY
            + " ("
            + routerConfig.getData().get(WorkflowObjectNames.CONFIG_KEY).lines().count()
            + " lines), config hash "
            + hash);
    DemoFailure.expect(
        hash != null && !hash.isBlank(), () -> "Workflow " + WORKFLOW + " reports no config hash");

    var workload =
        new DemoReport.VllmWorkload(
            deployment.getMetadata().getName(),
            deployment.getSpec().getReplicas(),
            gpus,
            vllmContainer.getImage(),
            service.getMetadata().getName(),
            service.getSpec().getPorts().get(0).getPort(),
            cache == null ? null : cache.getMetadata().getName(),
            cache == null
                ? null
                : cache.getSpec().getResources().getRequests().get("storage").toString(),
            budget.getMetadata().getName(),
            client
                .resources(ModelBackend.class)
                .inNamespace(PLATFORM)
                .withName(VLLM_BACKEND)
                .get()
                .getStatus()
                .getEndpoint());
    Map<String, String> ready = new LinkedHashMap<>();
    table.forEach((id, row) -> ready.put(id, row.get(0)));
    return new DemoReport.Applied(
        applied, workload, entries, routerConfig.getMetadata().getName(), hash, ready);
  }

  private Deployment deployment() {
    return client.apps().deployments().inNamespace(PLATFORM).withName(VLLM_BACKEND).get();
  }

  /** "Kind namespace/name" to [Ready status, reason, message], for every AI Handler resource. */
  private Map<String, List<String>> readyTable() {
    Map<String, List<String>> table = new LinkedHashMap<>();
    Stream.of(
            client.resources(ModelBackend.class).inAnyNamespace().list().getItems().stream()
                .map(
                    b ->
                        Map.entry(
                            "ModelBackend " + id(b),
                            b.getStatus() == null
                                ? List.<Condition>of()
                                : b.getStatus().getConditions())),
            client.resources(RoutingPolicy.class).inAnyNamespace().list().getItems().stream()
                .map(
                    p ->
                        Map.entry(
                            "RoutingPolicy " + id(p),
                            p.getStatus() == null
                                ? List.<Condition>of()
                                : p.getStatus().getConditions())),
            client.resources(Workflow.class).inAnyNamespace().list().getItems().stream()
                .map(
                    w ->
                        Map.entry(
                            "Workflow " + id(w),
                            w.getStatus() == null
                                ? List.<Condition>of()
                                : w.getStatus().getConditions())))
        .flatMap(s -> s)
        .sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
        .forEach(
            e -> {
              Optional<Condition> ready = condition(e.getValue(), "Ready");
              table.put(
                  e.getKey(),
                  List.of(
                      ready.map(Condition::getStatus).orElse("Unknown"),
                      ready.map(Condition::getReason).orElse("-"),
                      ready.map(Condition::getMessage).orElse("not reconciled yet")));
            });
    return table;
  }

  private static Optional<Condition> condition(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static String id(HasMetadata object) {
    return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }

  // ---- scene 3 ----

  private DemoReport.Injection admitAppPodAndStartSidecar() {
    console.scene(3, "The app's pod through the admission webhook, and its sidecar");
    Deployment app =
        client.apps().deployments().inNamespace(APP_NAMESPACE).withName("support-app").get();
    DemoFailure.expect(app != null, () -> "examples/ has no Deployment support/support-app");
    Pod pod =
        new PodBuilder()
            .withNewMetadataLike(app.getSpec().getTemplate().getMetadata())
            .withName("support-app-5d7c9b8f6-q4x2m")
            .withNamespace(APP_NAMESPACE)
            .endMetadata()
            .withSpec(app.getSpec().getTemplate().getSpec())
            .build();
    console.progress(
        "the ReplicaSet controller's CREATE of pod "
            + pod.getMetadata().getName()
            + " (label aihandler.io/workflow="
            + WORKFLOW
            + ") goes to POST /mutate-pods as an AdmissionReview over TLS");
    var webhook =
        new AdmissionWebhookCall(
            client,
            OPERATOR_NAMESPACE,
            settings.tls().secretName(),
            settings.tls().serviceName() + "." + OPERATOR_NAMESPACE + ".svc",
            URI.create("https://127.0.0.1:" + operator.webhookPort() + "/mutate-pods"));
    AdmissionWebhookCall.Admission admission = webhook.create(pod);
    DemoFailure.expect(
        admission.allowed(), () -> "the webhook refused the app pod: " + admission.message());
    Pod admitted = client.resource(admission.pod()).create();

    List<Container> inits =
        Optional.ofNullable(admitted.getSpec().getInitContainers()).orElse(List.of());
    Optional<Container> nativeSidecar =
        inits.stream().filter(c -> "Always".equals(c.getRestartPolicy())).findFirst();
    Container sidecarContainer =
        nativeSidecar
            .or(
                () ->
                    admitted.getSpec().getContainers().stream()
                        .filter(c -> c.getName().startsWith("aihandler"))
                        .findFirst())
            .orElseThrow(
                () ->
                    new DemoFailure(
                        "the webhook injected no sidecar container; patch: " + admission.patch()));
    List<String> before =
        Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of()).stream()
            .map(Volume::getName)
            .toList();
    List<String> volumes =
        admitted.getSpec().getVolumes().stream()
            .filter(v -> !before.contains(v.getName()))
            .map(
                v ->
                    v.getName()
                        + (v.getConfigMap() != null
                            ? " (ConfigMap " + v.getConfigMap().getName() + ")"
                            : v.getSecret() != null
                                ? " (Secret " + v.getSecret().getSecretName() + ")"
                                : v.getEmptyDir() != null ? " (emptyDir)" : ""))
            .toList();
    Container appContainer =
        admitted.getSpec().getContainers().stream()
            .filter(c -> c.getName().equals("app"))
            .findFirst()
            .orElseThrow();
    String baseUrl =
        Optional.ofNullable(appContainer.getEnv()).orElse(List.of()).stream()
            .filter(e -> e.getName().equals("OPENAI_BASE_URL"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElse(null);
    console.ok("admitted with a JSON patch of " + admission.patch().size() + " operations");
    console.line(
        "sidecar "
            + sidecarContainer.getName()
            + ": "
            + (nativeSidecar.isPresent()
                ? "native sidecar (init container, restartPolicy: Always), starts before the app"
                : "plain container")
            + ", image "
            + sidecarContainer.getImage());
    console.detail(
        "mounts "
            + String.join(
                ", ",
                sidecarContainer.getVolumeMounts().stream().map(m -> m.getMountPath()).toList()));
    console.line("volumes added: " + String.join(", ", volumes));
    console.line(
        "app container env OPENAI_BASE_URL="
            + baseUrl
            + " (in the pod; here the sidecar gets a free port)");
    DemoFailure.expect(
        baseUrl != null && baseUrl.startsWith("http://127.0.0.1:"),
        () -> "the app container got no OPENAI_BASE_URL on localhost");

    console.progress(
        "kubelet's part: mounting the pod's ConfigMap and Secret volumes under "
            + workDirectory.resolve("pod"));
    Path podRoot = workDirectory.resolve("pod");
    Map<String, Path> mounts = kubelet().mountVolumes(admitted, sidecarContainer, podRoot);
    mounts.forEach((inPod, local) -> console.detail(pad(inPod, 28) + "-> " + local));
    String configPath = configPathOf(sidecarContainer);
    ClusterNetworkStandIn network = new ClusterNetworkStandIn(podRoot);
    Service service = client.services().inNamespace(PLATFORM).withName(VLLM_BACKEND).get();
    network.resolve(
        service.getMetadata().getName()
            + "."
            + PLATFORM
            + ".svc:"
            + service.getSpec().getPorts().get(0).getPort(),
        vllm.hostAndPort());
    Service embeddingService =
        client.services().inNamespace(PLATFORM).withName(EMBEDDING_BACKEND).get();
    network.resolve(
        embeddingService.getMetadata().getName()
            + "."
            + PLATFORM
            + ".svc:"
            + embeddingService.getSpec().getPorts().get(0).getPort(),
        embeddingVllm.hostAndPort());
    // The operator's webhook Service, where sidecars send activations.
    network.resolve(
        settings.tls().dnsNames().get(0) + ":443", "127.0.0.1:" + operator.webhookPort());
    Path mounted = network.inPod(configPath);
    DemoFailure.expect(
        Files.isRegularFile(mounted),
        () -> "the sidecar's config " + configPath + " is not in its mounted volumes");
    ClusterNetworkStandIn.Localized localized;
    try {
      localized = network.localize(Files.readString(mounted));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    console.line(
        "cluster DNS and pod paths of the rendered config, mapped to this machine (ClusterNetworkStandIn):");
    localized.mappings().forEach(console::detail);
    Path localConfig = workDirectory.resolve("router.localized.yaml");
    sidecarConfigFile = localConfig;
    try {
      Files.writeString(localConfig, localized.yaml());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    sidecarConfigRefresh =
        () -> {
          kubelet().mountVolumes(admitted, sidecarContainer, podRoot);
          try {
            // As the kubelet, write only a changed document: the sidecar loads a file once it
            // is stable, and a rewrite, even of the same text, is a change to it.
            String yaml = network.localize(Files.readString(mounted)).yaml();
            if (!yaml.equals(Files.readString(localConfig))) {
              Files.writeString(localConfig, yaml);
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    console.progress("starting the router sidecar (io.aihandler.router.RouterMain) on that config");
    try {
      sidecar = new LocalSidecar(localConfig, Map.of()).start();
    } catch (InvalidRouterConfigException e) {
      throw new DemoFailure(
          "the sidecar refused the operator's rendered config: " + e.getMessage(), e);
    }
    JsonNode readiness = getJson(sidecar.managementUrl() + "/readyz");
    DemoFailure.expect(
        "ready".equals(readiness.path("status").asText()),
        () -> "the sidecar is not ready: " + readiness);
    List<String> backends = new ArrayList<>();
    readiness
        .path("backends")
        .properties()
        .forEach(
            e -> backends.add(e.getKey() + " (" + e.getValue().path("locality").asText() + ")"));
    console.ok(
        "sidecar ready: API " + sidecar.apiUrl() + "/v1, management " + sidecar.managementUrl());
    console.detail("backends " + String.join(", ", backends));

    sdk =
        OpenAIOkHttpClient.builder()
            .baseUrl(sidecar.apiUrl() + "/v1")
            .apiKey("unused-the-sidecar-holds-the-keys")
            .maxRetries(
                0) // retries and fallbacks are the sidecar's job; show its behaviour unmasked
            .timeout(Duration.ofSeconds(30))
            .build();
    return new DemoReport.Injection(
        sidecarContainer.getName(),
        nativeSidecar.isPresent(),
        volumes,
        baseUrl,
        localized.mappings());
  }

  private static String configPathOf(Container sidecar) {
    List<String> args =
        Stream.concat(
                Optional.ofNullable(sidecar.getCommand()).orElse(List.of()).stream(),
                Optional.ofNullable(sidecar.getArgs()).orElse(List.of()).stream())
            .toList();
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals("--config") || args.get(i).equals("-c")) {
        return args.get(i + 1);
      }
      if (args.get(i).startsWith("--config=")) {
        return args.get(i).substring("--config=".length());
      }
    }
    return WorkflowObjectNames.configFile();
  }

  // ---- scene 4 ----

  private DemoReport.Structured structuredOutput() {
    console.line(
        "a) structured output: POST /v1/tasks/classify-ticket (plain HTTP, as the app's curl does)");
    String ticket =
        "Subject: Charged twice\nI was charged twice for my March invoice and would like a refund.";
    JsonNode answer = task("structured output", "classify-ticket", Map.of("ticket", ticket));
    String backend = answer.path("backend").asText();
    DemoFailure.expect(
        answer.path("valid").asBoolean(),
        () -> "classify-ticket answered without validation: " + answer);
    DemoFailure.expect(
        backend.equals(VLLM_BACKEND),
        () ->
            "classify-ticket should be served by the in-cluster "
                + VLLM_BACKEND
                + " (priority 0 of route classification), not "
                + backend);
    JsonNode schema = taskSchema("classify-ticket");
    JsonNode output = answer.path("output");
    for (JsonNode required : schema.path("required")) {
      DemoFailure.expect(
          output.has(required.asText()),
          () -> "the validated output lacks " + required.asText() + ": " + output);
    }
    List<String> categories = new ArrayList<>();
    schema.at("/properties/category/enum").forEach(c -> categories.add(c.asText()));
    DemoFailure.expect(
        categories.contains(output.path("category").asText()),
        () -> "category outside the Workflow's enum: " + output);
    console.ok(
        "the sidecar validated "
            + output
            + " against the Workflow's schema (required fields "
            + schema.path("required")
            + " present, category one of "
            + categories
            + ")");
    return new DemoReport.Structured("classify-ticket", backend, true, output);
  }

  private void routedChats() {
    console.line(
        "b) chat completions with the OpenAI SDK; model names a route, a task or a backend");
    int claudeCalls = anthropic.generations().size();
    ChatOutcome reasoning =
        chat(
            "routing",
            "reasoning",
            "Draft a two-sentence reply to a customer asking why their invoice shows two charges.");
    DemoFailure.expect(
        reasoning.exchange().backend().equals("claude"),
        () ->
            "route reasoning should be served by claude (priority 0), not "
                + reasoning.exchange().backend());
    DemoFailure.expect(
        anthropic.generations().size() == claudeCalls + 1
            && anthropic.generations().getLast().path().equals("/v1/messages"),
        () -> "the Anthropic stand-in did not receive the call on /v1/messages");
    console.detail(
        "translated to Anthropic Messages: POST /v1/messages with x-api-key from the mounted credentials file");

    int geminiCalls = gemini.generations().size();
    ChatOutcome flash =
        chat(
            "routing",
            "gemini-flash",
            "Summarize in one sentence: the customer was charged twice; refund issued.");
    DemoFailure.expect(
        flash.exchange().backend().equals("gemini-flash")
            && gemini.generations().size() == geminiCalls + 1,
        () ->
            "model gemini-flash should reach the Gemini stand-in, served by "
                + flash.exchange().backend());
    console.detail("translated to Gemini: POST " + gemini.generations().getLast().path());
  }

  private DemoReport.Restricted restrictedData() {
    console.line(
        "c) restricted data stays in the cluster (data class restricted: in-cluster only)");
    int externalBefore = externalGenerations();
    String ticket =
        "From: Jane Doe <"
            + RESTRICTED_EMAIL
            + ">\nPlease move the refund for ACCT-12345678 to my IBAN "
            + RESTRICTED_IBAN
            + " at Example Bank. The Pro plan invoice was wrong.";
    JsonNode entities = task("restricted data", "extract-entities", Map.of("ticket", ticket));
    DemoFailure.expect(
        entities.path("backend").asText().equals(VLLM_BACKEND),
        () ->
            "extract-entities (restricted) was served by "
                + entities.path("backend").asText()
                + ", not the in-cluster backend");
    console.detail("output " + entities.path("output"));
    ChatOutcome pii =
        chat(
            "restricted data",
            "reasoning",
            "Customer "
                + RESTRICTED_EMAIL
                + " asks us to refund to IBAN "
                + RESTRICTED_IBAN
                + ". Draft a reply.");
    DemoFailure.expect(
        pii.exchange().backend().equals(VLLM_BACKEND),
        () ->
            "a reasoning request holding an email and an IBAN was served by "
                + pii.exchange().backend()
                + ", not "
                + VLLM_BACKEND);
    int externalDuring = externalGenerations() - externalBefore;
    boolean seenOutside =
        Stream.of(openai, anthropic, gemini)
            .flatMap(s -> s.received().stream())
            .anyMatch(
                r ->
                    r.body().contains(RESTRICTED_EMAIL)
                        || r.body().contains(RESTRICTED_IBAN)
                        || r.body().contains("ACCT-12345678"));
    DemoFailure.expect(
        externalDuring == 0 && !seenOutside,
        () ->
            "restricted data left the cluster: external stand-ins received "
                + externalDuring
                + " calls");
    console.ok(
        "the detectors (email, IBAN) kept route reasoning off claude and gpt-4o: external stand-ins received "
            + externalDuring
            + " calls and never saw the email, IBAN or account number");
    return new DemoReport.Restricted(
        List.of(entities.path("backend").asText(), pii.exchange().backend()),
        externalDuring,
        seenOutside);
  }

  private DemoReport.Fallback fallbackAfterOverload() {
    console.line("d) fallback: the Anthropic stand-in answers 529 overloaded_error");
    anthropic.startOutage(AnthropicStandIn::overloaded);
    ChatOutcome served;
    int refused;
    try {
      served = chat("fallback", "reasoning", "Draft a short apology for a delayed refund.");
    } finally {
      refused = anthropic.recover();
    }
    DemoFailure.expect(
        served.exchange().backend().equals("gpt-4o"),
        () ->
            "after claude's 529 the request should fall back to gpt-4o (priority 1), served by "
                + served.exchange().backend());
    DemoFailure.expect(refused >= 1, () -> "the Anthropic stand-in refused no call");
    console.ok(
        "claude answered 529 "
            + refused
            + "x (retried with backoff while a later target stays reachable), then gpt-4o served; the client saw one 200");
    return new DemoReport.Fallback(
        "reasoning", refused, served.exchange().backend(), served.exchange().attempts());
  }

  private DemoReport.Repair repairOfInvalidOutput() {
    console.line(
        "e) repair: the vLLM stand-in's first answer breaks the schema (priority \"critical\", an extra field)");
    vllm.answerInvalidlyNext(1);
    int callsBefore = vllm.generations().size();
    JsonNode answer =
        task(
            "repair",
            "classify-ticket",
            Map.of(
                "ticket",
                "Subject: App crashes\nThe mobile app shows an error and crashes on start."));
    int calls = vllm.generations().size() - callsBefore;
    DemoFailure.expect(
        answer.path("valid").asBoolean() && answer.path("attempts").asInt() == 2 && calls == 2,
        () ->
            "expected one invalid answer and one repaired answer from "
                + VLLM_BACKEND
                + " (2 attempts), got "
                + answer
                + " after "
                + calls
                + " calls");
    String reask = lastUserMessage(vllm.generations().getLast().body());
    console.detail("re-ask sent to " + VLLM_BACKEND + ": \"" + abbreviate(reask, 150) + "\"");
    console.ok(
        "repaired output "
            + answer.path("output")
            + " is valid; invalid output never reached the client");
    return new DemoReport.Repair(
        "classify-ticket",
        answer.path("backend").asText(),
        answer.path("attempts").asInt(),
        calls,
        reask,
        answer.path("output"));
  }

  private DemoReport.Embeddings embeddingsKeepRestrictedBatchesInside() {
    console.line(
        "f) embeddings: POST /v1/embeddings with the OpenAI SDK; a restricted batch stays in the cluster");
    int openAiBefore = openai.generations().size();
    List<String> tickets =
        List.of(
            "Subject: Login loop\nThe app keeps asking me to sign in again.",
            "Subject: Refund\nPlease refund to my IBAN "
                + RESTRICTED_IBAN
                + ", Jane Doe <"
                + RESTRICTED_EMAIL
                + ">.",
            "Subject: Export\nHow do I export last year's invoices?");
    EmbeddingOutcome inside = embed("embeddings", "embed-tickets", tickets);
    DemoFailure.expect(
        inside.exchange().backend().equals(EMBEDDING_BACKEND)
            && inside.vectors() == tickets.size()
            && inside.dimensions() == EMBEDDING_DIMENSIONS,
        () ->
            "embed-tickets (restricted) should give "
                + tickets.size()
                + " vectors of "
                + EMBEDDING_DIMENSIONS
                + " from "
                + EMBEDDING_BACKEND
                + ", got "
                + inside);

    List<String> articles = List.of("How to reset your password", "Exporting invoices as CSV");
    EmbeddingOutcome hosted = embed("embeddings", "embed-articles", articles);
    DemoFailure.expect(
        hosted.exchange().backend().equals("text-embedding-3-small")
            && hosted.vectors() == articles.size(),
        () ->
            "embed-articles (internal) should be served by the hosted text-embedding-3-small, got "
                + hosted);

    // The same restricted ticket sent to the task whose route has only the hosted model: the
    // detectors raise its class to restricted, and nothing is sent.
    int seen = sidecar.accessCount();
    int blocked;
    try {
      sdk.embeddings()
          .create(
              EmbeddingCreateParams.builder()
                  .model("embed-articles")
                  .input(tickets.get(1))
                  .build());
      throw new DemoFailure(
          "a ticket with an IBAN and an email was embedded through the hosted-only route");
    } catch (OpenAIServiceException e) {
      blocked = e.statusCode();
    }
    int status = blocked;
    LocalSidecar.AccessLine line =
        sdkCall("embeddings", "embed-articles", seen, "the blocked embedding").line();
    DemoFailure.expect(
        status == 403,
        () -> "the restricted batch on a hosted-only route should get 403, got " + status);
    console.detail(
        pad("SDK embeddings embed-articles", 34)
            + "-> "
            + status
            + " data_policy_blocked, data class "
            + line.fields().getOrDefault("data_class", "-")
            + " (an IBAN and an email in the input)");
    int openAiCalls = openai.generations().size() - openAiBefore;
    boolean seenOutside =
        Stream.of(openai, anthropic, gemini)
            .flatMap(standIn -> standIn.received().stream())
            .anyMatch(
                r -> r.body().contains(RESTRICTED_IBAN) || r.body().contains(RESTRICTED_EMAIL));
    DemoFailure.expect(
        openAiCalls == 1 && !seenOutside,
        () ->
            "the OpenAI stand-in should have embedded the articles only; it received "
                + openAiCalls
                + " calls, restricted data outside: "
                + seenOutside);
    console.ok(
        "tickets embedded in the cluster by "
            + EMBEDDING_BACKEND
            + " ("
            + inside.vectors()
            + " x "
            + inside.dimensions()
            + "), articles by the hosted model ("
            + hosted.vectors()
            + " x "
            + hosted.dimensions()
            + "); the external stand-ins never saw the IBAN or the email");
    return new DemoReport.Embeddings(
        inside.exchange().backend(),
        inside.vectors(),
        inside.dimensions(),
        hosted.exchange().backend(),
        status,
        seenOutside);
  }

  private DemoReport.Responses responsesWithValidatedOutput() {
    console.line(
        "g) the Responses API (POST /v1/responses, OpenAI SDK) with the app's own JSON Schema in text.format;"
            + " the vLLM stand-in's first answer breaks it");
    JsonNode schema = taskSchema("classify-ticket");
    ResponseFormatTextJsonSchemaConfig.Schema.Builder sdkSchema =
        ResponseFormatTextJsonSchemaConfig.Schema.builder();
    schema
        .properties()
        .forEach(
            e ->
                sdkSchema.putAdditionalProperty(
                    e.getKey(), JsonValue.from(JSON.convertValue(e.getValue(), Object.class))));
    vllm.answerInvalidlyNext(1);
    int callsBefore = vllm.generations().size();
    int seen = sidecar.accessCount();
    Response response;
    try {
      response =
          sdk.responses()
              .create(
                  ResponseCreateParams.builder()
                      .model("classification")
                      .instructions(
                          "Triage the customer's ticket: category, priority and your confidence.")
                      .input(
                          "Ticket:\nSubject: Charged twice\nMy card was charged twice for the March invoice.")
                      .text(
                          ResponseTextConfig.builder()
                              .format(
                                  ResponseFormatTextJsonSchemaConfig.builder()
                                      .name("ticket_triage")
                                      .schema(sdkSchema.build())
                                      .strict(true)
                                      .build())
                              .build())
                      .build());
    } catch (OpenAIServiceException e) {
      throw new DemoFailure(
          "POST /v1/responses failed: HTTP " + e.statusCode() + " " + e.getMessage(), e);
    }
    LocalSidecar.AccessLine line =
        sdkCall("responses", "classification", seen, "the Responses call").line();
    String text =
        response.output().getFirst().asMessage().content().getFirst().asOutputText().text();
    JsonNode output = readJson(text);
    int calls = vllm.generations().size() - callsBefore;
    List<String> categories = new ArrayList<>();
    schema.at("/properties/category/enum").forEach(c -> categories.add(c.asText()));
    DemoFailure.expect(
        response.status().map(st -> st.asString().equals("completed")).orElse(false)
            && categories.contains(output.path("category").asText())
            && output.has("confidence")
            && calls == 2,
        () ->
            "expected a completed response whose output_text passes the schema after one repair (2 model calls), got "
                + text
                + " after "
                + calls
                + " calls");
    console.detail(
        pad("SDK responses classification", 34)
            + "-> route "
            + line.route()
            + ", backend "
            + line.backend()
            + ", "
            + line.attempts()
            + " attempt(s), "
            + response.id());
    console.ok(
        "output_text "
            + output
            + " passed the app's schema; the invalid first answer never reached the app");
    return new DemoReport.Responses(response.id(), line.backend(), line.attempts(), output);
  }

  /** One SDK request's access log line, and the exchange it was recorded as. */
  private record SdkCall(LocalSidecar.AccessLine line, Exchange exchange) {}

  /**
   * Waits for the access log line of the SDK request sent after {@code seen} lines and records it
   * as an exchange of the scene.
   */
  private SdkCall sdkCall(String scene, String model, int seen, String what) {
    LocalSidecar.AccessLine line =
        sidecar
            .accessAfter(seen, Duration.ofSeconds(5))
            .orElseThrow(() -> new DemoFailure("the sidecar wrote no access log line for " + what));
    Exchange exchange =
        new Exchange(
            scene,
            "openai-sdk",
            model,
            line.status(),
            line.route(),
            line.backend(),
            line.attempts());
    exchanges.add(exchange);
    return new SdkCall(line, exchange);
  }

  private record EmbeddingOutcome(Exchange exchange, int vectors, int dimensions) {}

  private EmbeddingOutcome embed(String scene, String model, List<String> inputs) {
    int seen = sidecar.accessCount();
    CreateEmbeddingResponse response;
    try {
      response =
          sdk.embeddings()
              .create(
                  EmbeddingCreateParams.builder()
                      .model(model)
                      .inputOfArrayOfStrings(inputs)
                      .build());
    } catch (OpenAIServiceException e) {
      throw new DemoFailure(
          "embeddings with model "
              + model
              + " failed: HTTP "
              + e.statusCode()
              + " "
              + e.getMessage(),
          e);
    }
    SdkCall call = sdkCall(scene, model, seen, "the embeddings with model " + model);
    LocalSidecar.AccessLine line = call.line();
    Exchange exchange = call.exchange();
    int dimensions = response.data().isEmpty() ? 0 : response.data().getFirst().embedding().size();
    console.detail(
        pad("SDK embeddings " + model, 34)
            + "-> route "
            + line.route()
            + ", backend "
            + line.backend()
            + ", "
            + response.data().size()
            + " vectors of "
            + dimensions
            + ", data class "
            + line.fields().getOrDefault("data_class", "-"));
    return new EmbeddingOutcome(exchange, response.data().size(), dimensions);
  }

  private int externalGenerations() {
    return openai.generations().size()
        + anthropic.generations().size()
        + gemini.generations().size();
  }

  private static String lastUserMessage(String chatRequest) {
    try {
      JsonNode messages = JSON.readTree(chatRequest).path("messages");
      for (int i = messages.size() - 1; i >= 0; i--) {
        if (messages.get(i).path("role").asText().equals("user")) {
          JsonNode content = messages.get(i).path("content");
          return content.isTextual() ? content.asText() : content.toString();
        }
      }
      return "";
    } catch (IOException e) {
      return "";
    }
  }

  // ---- scene 5 ----

  private DemoReport.Metrics metrics() {
    console.scene(5, "Metrics");
    String sidecarText = getText(sidecar.managementUrl() + "/metrics");
    List<String> sidecarLines =
        sidecarText
            .lines()
            .filter(l -> !l.startsWith("#"))
            .filter(
                l ->
                    l.startsWith("aihandler_requests_total")
                        || l.startsWith("aihandler_fallbacks_total")
                        || l.startsWith("aihandler_repair_attempts_total")
                        || l.startsWith("aihandler_validation_failures_total")
                        || l.startsWith("aihandler_data_policy_blocks_total")
                        || l.startsWith("aihandler_cost_usd_total"))
            .sorted()
            .toList();
    DemoFailure.expect(
        sidecarLines.stream().anyMatch(l -> l.startsWith("aihandler_requests_total")),
        () -> "the sidecar's /metrics has no aihandler_requests_total");
    DemoFailure.expect(
        sidecarLines.stream()
            .anyMatch(l -> l.startsWith("aihandler_fallbacks_total") && l.contains("claude")),
        () -> "the sidecar's /metrics does not count the fallback from claude");
    DemoFailure.expect(
        sidecarLines.stream().anyMatch(l -> l.startsWith("aihandler_repair_attempts_total")),
        () -> "the sidecar's /metrics does not count the repair");
    console.line("sidecar " + sidecar.managementUrl() + "/metrics");
    sidecarLines.forEach(console::detail);
    String operatorText = getText("http://127.0.0.1:" + operator.metricsPort() + "/metrics");
    List<String> operatorLines =
        operatorText
            .lines()
            .filter(l -> !l.startsWith("#"))
            .filter(
                l ->
                    l.contains("reconciliations")
                        && (l.contains("success") || l.contains("started")))
            .sorted()
            .limit(8)
            .toList();
    DemoFailure.expect(
        !operatorLines.isEmpty(), () -> "the operator's /metrics shows no reconciliations");
    console.line("operator http://127.0.0.1:" + operator.metricsPort() + "/metrics");
    operatorLines.forEach(console::detail);
    long scrapes = vllm.received().stream().filter(r -> r.path().equals("/metrics")).count();
    if (scrapes > 0) {
      console.line(
          "the operator's autoscaler read the vLLM pod's /metrics "
              + scrapes
              + "x (queue depth 0: stays at minReplicas)");
    }
    return new DemoReport.Metrics(sidecarLines, operatorLines);
  }

  // ---- scene 8 ----

  private void summary() {
    console.scene(8, "Summary");
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("SCENE", "CLIENT", "MODEL", "STATUS", "ROUTE", "BACKEND", "ATTEMPTS"));
    for (Exchange e : exchanges) {
      rows.add(
          List.of(
              e.scene(),
              e.client(),
              e.model(),
              String.valueOf(e.status()),
              e.route(),
              e.backend(),
              String.valueOf(e.attempts())));
    }
    console.table(rows);
    sidecar.warnings().forEach(w -> console.detail("sidecar log: " + w));
    console.blank();
    console.ok(
        exchanges.size()
            + " requests, every expectation held: operator, webhook and sidecar work end to end");
  }

  // ---- requests ----

  private record ChatOutcome(Exchange exchange, String content) {}

  private ChatOutcome chat(String scene, String model, String message) {
    int seen = sidecar.accessCount();
    ChatCompletion completion;
    try {
      completion =
          sdk.chat()
              .completions()
              .create(
                  ChatCompletionCreateParams.builder()
                      .model(model)
                      .addUserMessage(message)
                      .build());
    } catch (OpenAIServiceException e) {
      throw new DemoFailure(
          "chat completion with model "
              + model
              + " failed: HTTP "
              + e.statusCode()
              + " "
              + e.getMessage(),
          e);
    }
    SdkCall call = sdkCall(scene, model, seen, "the request with model " + model);
    LocalSidecar.AccessLine line = call.line();
    Exchange exchange = call.exchange();
    String content = completion.choices().getFirst().message().content().orElse("");
    console.detail(
        pad("SDK model=" + model, 26)
            + "-> route "
            + line.route()
            + ", backend "
            + line.backend()
            + ", "
            + line.attempts()
            + " attempt(s), data class "
            + line.fields().getOrDefault("data_class", "-"));
    console.detail(pad("", 26) + "   \"" + abbreviate(content, 100) + "\"");
    return new ChatOutcome(exchange, content);
  }

  private JsonNode task(String scene, String task, Map<String, String> variables) {
    int seen = sidecar.accessCount();
    ObjectNode body = JSON.createObjectNode();
    variables.forEach(body.putObject("variables")::put);
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(sidecar.apiUrl() + "/v1/tasks/" + task))
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DemoFailure("POST /v1/tasks/" + task + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted", e);
    }
    JsonNode answer = readJson(response.body());
    DemoFailure.expect(
        response.statusCode() == 200,
        () ->
            "POST /v1/tasks/"
                + task
                + " answered "
                + response.statusCode()
                + ": "
                + response.body());
    Optional<LocalSidecar.AccessLine> line = sidecar.accessAfter(seen, Duration.ofSeconds(5));
    String route = line.map(LocalSidecar.AccessLine::route).orElse("-");
    exchanges.add(
        new Exchange(
            scene,
            "http",
            "tasks/" + task,
            response.statusCode(),
            route,
            answer.path("backend").asText(),
            answer.path("attempts").asInt()));
    console.detail(
        pad("POST /v1/tasks/" + task, 34)
            + "-> route "
            + route
            + ", backend "
            + answer.path("backend").asText()
            + ", "
            + answer.path("attempts").asInt()
            + " attempt(s), valid "
            + answer.path("valid").asBoolean()
            + ", data class "
            + line.map(l -> l.fields().getOrDefault("data_class", "-")).orElse("-"));
    return answer;
  }

  private JsonNode taskSchema(String task) {
    Workflow workflow =
        client.resources(Workflow.class).inNamespace(APP_NAMESPACE).withName(WORKFLOW).get();
    return workflow.getSpec().tasks().stream()
        .filter(t -> t.name().equals(task))
        .findFirst()
        .map(t -> t.output().schema())
        .orElseThrow(() -> new DemoFailure("Workflow " + WORKFLOW + " has no task " + task));
  }

  private JsonNode getJson(String url) {
    return readJson(getText(url));
  }

  private String getText(String url) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.body();
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
      throw new DemoFailure("not JSON: " + abbreviate(text, 200), e);
    }
  }

  static String abbreviate(String text, int max) {
    String flat = text.replace('\n', ' ');
    return flat.length() <= max ? flat : flat.substring(0, max - 3) + "...";
  }

  static String pad(String text, int width) {
    return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
  }

  /** The ServiceAccount tokens minted for the app's pod, for tests that prove they never leak. */
  public List<String> serviceAccountTokens() {
    return List.copyOf(mintedTokens.values());
  }

  /** The demo keys of this run, for tests that prove they never leak. */
  public DemoKeys keys() {
    return keys;
  }

  @Override
  public void close() {
    List<AutoCloseable> closing = new ArrayList<>();
    if (sdk != null) {
      closing.add(sdk::close);
    }
    closing.add(sidecar);
    closing.add(operator);
    closing.add(api);
    closing.add(vllm);
    closing.add(embeddingVllm);
    closing.add(openai);
    closing.add(anthropic);
    closing.add(gemini);
    for (AutoCloseable c : closing) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        // Shutting down: keep closing the rest.
      }
    }
    if (workDirectory != null) {
      try (Stream<Path> files = Files.walk(workDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temp directory left behind is harmless
      }
    }
  }
}
