package io.aihandler.operator;

import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.advisor.WorkflowAdvisor;
import io.aihandler.controllers.metrics.DeletedBackendMetrics;
import io.aihandler.controllers.metrics.OperatorMetrics;
import io.aihandler.controllers.modelbackend.ModelBackendReconciler;
import io.aihandler.controllers.modelbackend.ModelBackendReconcilerSettings;
import io.aihandler.controllers.routing.RoutingPolicyReconciler;
import io.aihandler.controllers.spillover.SpilloverReporter;
import io.aihandler.controllers.workflow.OperatorActivation;
import io.aihandler.controllers.workflow.WorkflowObjectNames;
import io.aihandler.controllers.workflow.WorkflowReconciler;
import io.aihandler.operator.activation.ActivationEndpoint;
import io.aihandler.operator.activation.ActivationEndpoints;
import io.aihandler.operator.activation.ActivationMetrics;
import io.aihandler.operator.activation.KubernetesTokenReviewer;
import io.aihandler.operator.tls.RotatingKeyManager;
import io.aihandler.operator.tls.WebhookTlsKeeper;
import io.aihandler.operator.tls.WebhookTlsMaterial;
import io.aihandler.operator.webhook.AdmissionMetrics;
import io.aihandler.operator.webhook.AdmissionWebhookServer;
import io.aihandler.operator.webhook.SidecarInjectionSettings;
import io.aihandler.operator.webhook.SidecarInjectionWebhook;
import io.aihandler.operator.webhook.WorkflowLookup;
import io.aihandler.operator.webhook.WorkflowValidationWebhook;
import io.aihandler.router.config.Activation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.webhook.admission.AdmissionController;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process: the reconcilers (run by the leader only), the admission webhooks and the
 * activation endpoint (served by every replica, with their TLS kept in place), and the metrics and
 * health endpoints. The same wiring runs in production and against the embedded API server of the
 * demo and tests.
 */
public final class AiHandlerOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AiHandlerOperator.class);

  private final Operator operator;
  private final AdmissionWebhookServer webhooks;
  private final OperatorEndpoints endpoints;
  private final ScheduledExecutorService tlsRenewal;
  private final SharedIndexInformer<Workflow> workflowInformer;
  private final PrometheusMeterRegistry registry;

  private AiHandlerOperator(
      Operator operator,
      AdmissionWebhookServer webhooks,
      OperatorEndpoints endpoints,
      ScheduledExecutorService tlsRenewal,
      SharedIndexInformer<Workflow> workflowInformer,
      PrometheusMeterRegistry registry) {
    this.operator = operator;
    this.webhooks = webhooks;
    this.endpoints = endpoints;
    this.tlsRenewal = tlsRenewal;
    this.workflowInformer = workflowInformer;
    this.registry = registry;
  }

  /** The reconcilers the operator runs. */
  static List<Reconciler<?>> reconcilers(
      Clock clock,
      OperatorSettings settings,
      OperatorMetrics metrics,
      OperatorActivation activation) {
    return List.of(
        new ModelBackendReconciler(
            ModelBackendReconcilerSettings.defaults()
                .withClock(clock)
                .withProviders(settings.providers()),
            metrics),
        new RoutingPolicyReconciler(clock, metrics),
        new WorkflowReconciler(clock, settings.providers(), metrics, activation),
        new WorkflowAdvisor(clock, settings.advisor()),
        new SpilloverReporter(clock, settings.advisor()));
  }

  /** Starts everything; returns once the webhooks serve and the controllers have started. */
  public static AiHandlerOperator start(
      KubernetesClient client, OperatorSettings settings, Clock clock) {
    return start(client, settings, clock, LeaderElectionTiming.PRODUCTION);
  }

  /**
   * Starts everything with the given leader-election timing. With leader election on, this returns
   * once the webhooks serve; the controllers start when this replica acquires the Lease.
   */
  public static AiHandlerOperator start(
      KubernetesClient client,
      OperatorSettings settings,
      Clock clock,
      LeaderElectionTiming timing) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = OperatorMetrics.on(registry);
    AtomicBoolean controllersStarted = new AtomicBoolean(false);

    SharedIndexInformer<Workflow> workflowInformer = informWorkflows(client, settings);
    RotatingKeyManager keys = new RotatingKeyManager(initialTls(client, settings, clock));
    ScheduledExecutorService tlsRenewal =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("webhook-tls").factory());
    tlsRenewal.scheduleWithFixedDelay(
        () -> renewTls(client, settings, clock, keys),
        settings.tlsCheckInterval().toMinutes(),
        settings.tlsCheckInterval().toMinutes(),
        TimeUnit.MINUTES);

    try {
      AdmissionWebhookServer webhooks =
          new AdmissionWebhookServer(
              new InetSocketAddress(settings.webhookPort()),
              keys,
              Map.of(
                  "/mutate-pods",
                  new AdmissionController<Pod>(
                      new SidecarInjectionWebhook(
                          workflowLookup(client, workflowInformer),
                          new SidecarInjectionSettings(
                              settings.sidecarImage(),
                              settings.nativeSidecar(),
                              SidecarInjectionSettings.standardResources(),
                              settings.sidecarImagePullSecrets()))),
                  "/validate-workflows",
                  new AdmissionController<Workflow>(new WorkflowValidationWebhook())),
              new AdmissionMetrics(registry));
      webhooks.serve(
          ActivationEndpoint.PATH,
          ActivationEndpoints.create(
              client,
              new KubernetesTokenReviewer(client),
              namespace ->
                  workflowInformer.getStore().list().stream()
                      .filter(w -> namespace.equals(w.getMetadata().getNamespace()))
                      .toList(),
              new ActivationMetrics(registry),
              clock,
              workflowInformer::hasSynced));
      webhooks.start();
      OperatorEndpoints endpoints =
          new OperatorEndpoints(
              new InetSocketAddress(settings.metricsPort()),
              registry,
              () -> workflowInformer.hasSynced() && controllersStarted.get());
      endpoints.start();

      Operator operator =
          new Operator(
              overrider -> {
                overrider
                    .withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withMetrics(
                        new AggregatedMetrics(
                            List.of(
                                MicrometerMetrics.withoutPerResourceMetrics(registry),
                                new DeletedBackendMetrics(metrics))))
                    .withCacheSyncTimeout(Duration.ofMinutes(2));
                settings
                    .leaseName()
                    .ifPresent(
                        lease ->
                            overrider.withLeaderElectionConfiguration(
                                new LeaderElectionConfiguration(
                                    lease,
                                    settings.namespace(),
                                    timing.leaseDuration(),
                                    timing.renewDeadline(),
                                    timing.retryPeriod(),
                                    settings.podName(),
                                    null,
                                    timing.exitOnLostLeadership())));
              });
      OperatorActivation activation =
          new OperatorActivation(
              () ->
                  new Activation(
                      settings.activationUrl(),
                      WorkflowObjectNames.activationTokenFile(),
                      keys.current().caBundlePem(),
                      null),
              settings.namespace(),
              webhooks.port());
      for (Reconciler<?> reconciler : reconcilers(clock, settings, metrics, activation)) {
        register(operator, reconciler, settings);
      }
      operator.start();
      controllersStarted.set(true);
      LOG.info(
          "AI Handler operator started: webhooks on :{}, metrics on :{}, watching {}",
          webhooks.port(),
          endpoints.port(),
          settings.watchNamespaces().isEmpty() ? "all namespaces" : settings.watchNamespaces());
      return new AiHandlerOperator(
          operator, webhooks, endpoints, tlsRenewal, workflowInformer, registry);
    } catch (IOException e) {
      tlsRenewal.shutdownNow();
      workflowInformer.close();
      throw new UncheckedIOException("cannot open the operator's ports", e);
    }
  }

  private static <P extends io.fabric8.kubernetes.api.model.HasMetadata> void register(
      Operator operator, Reconciler<P> reconciler, OperatorSettings settings) {
    if (settings.watchNamespaces().isEmpty()) {
      operator.register(reconciler);
    } else {
      operator.register(
          reconciler, override -> override.settingNamespaces(settings.watchNamespaces()));
    }
  }

  /**
   * The webhook answers from the informer's cache; a miss (a Workflow created a moment ago) asks
   * the API.
   */
  private static WorkflowLookup workflowLookup(
      KubernetesClient client, SharedIndexInformer<Workflow> informer) {
    return (namespace, name) ->
        Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name))
            .or(
                () ->
                    Optional.ofNullable(
                        client
                            .resources(Workflow.class)
                            .inNamespace(namespace)
                            .withName(name)
                            .get()));
  }

  private static SharedIndexInformer<Workflow> informWorkflows(
      KubernetesClient client, OperatorSettings settings) {
    if (settings.watchNamespaces().size() == 1) {
      return client
          .resources(Workflow.class)
          .inNamespace(settings.watchNamespaces().iterator().next())
          .inform();
    }
    return client.resources(Workflow.class).inAnyNamespace().inform();
  }

  private static WebhookTlsMaterial initialTls(
      KubernetesClient client, OperatorSettings settings, Clock clock) {
    WebhookTlsKeeper keeper = new WebhookTlsKeeper(client, settings.tls(), clock);
    if (settings.tlsMode() == OperatorSettings.TlsMode.SELF_MANAGED) {
      return keeper.ensure();
    }
    // cert-manager may not have issued the certificate yet: wait for it rather than serve nothing.
    for (int attempt = 0; attempt < 120; attempt++) {
      Optional<WebhookTlsMaterial> issued = keeper.readIssuedByCertManager();
      if (issued.isPresent()) {
        return issued.get();
      }
      sleep(Duration.ofSeconds(1));
    }
    throw new IllegalStateException(
        "cert-manager has not filled Secret "
            + settings.namespace()
            + "/"
            + settings.tls().secretName()
            + " within 2 minutes: check the Certificate resource");
  }

  private static void renewTls(
      KubernetesClient client, OperatorSettings settings, Clock clock, RotatingKeyManager keys) {
    try {
      WebhookTlsKeeper keeper = new WebhookTlsKeeper(client, settings.tls(), clock);
      if (settings.tlsMode() == OperatorSettings.TlsMode.SELF_MANAGED) {
        keys.update(keeper.ensure());
      } else {
        keeper.readIssuedByCertManager().ifPresent(keys::update);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "Webhook TLS check failed; serving the current certificate until the next check: {}",
          e.toString());
    }
  }

  public int webhookPort() {
    return webhooks.port();
  }

  public int metricsPort() {
    return endpoints.port();
  }

  /** Prometheus text of the operator's metrics. */
  public String scrapeMetrics() {
    return registry.scrape();
  }

  @Override
  public void close() {
    operator.stop();
    webhooks.close();
    endpoints.close();
    tlsRenewal.shutdownNow();
    workflowInformer.close();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
