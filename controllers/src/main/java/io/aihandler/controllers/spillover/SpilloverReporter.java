package io.aihandler.controllers.spillover;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.SpillOver;
import io.aihandler.api.v1alpha1.SpillOverFigures;
import io.aihandler.controllers.advisor.AdvisorSettings;
import io.aihandler.controllers.advisor.PrometheusClient;
import io.aihandler.controllers.advisor.PrometheusQueryException;
import io.aihandler.controllers.modelbackend.ModelBackendStatusFields;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyReconciler;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.Conditions.Desired;
import io.aihandler.controllers.status.StatusPatch;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes in each vLLM backend's status what its missing capacity cost: the requests the router
 * sidecars spilled over to a later target while it had no ready replica, and their metered cost,
 * over the last 24 hours and 7 days ({@code status.spillOver}, condition {@code
 * SpillOverMeasured}). The figures come from the Prometheus the advisor reads ({@link
 * AdvisorSettings}: URL, namespace label, query bounds, refresh interval); {@link
 * SpilloverSelection} decides which series are the backend's.
 *
 * <p>A controller of its own, under its own field manager, so a slow Prometheus never delays a
 * scaling decision and neither writer applies the other's fields. Each backend is measured at most
 * once per refresh interval, whatever triggers its reconciliation, and the status is written only
 * when the figures or the condition change: a quiet backend costs no write. Without a Prometheus,
 * or while it cannot answer, the figures are absent and the condition says why; nothing here throws
 * into JOSDK's retry.
 */
@ControllerConfiguration(name = SpilloverReporter.NAME)
public class SpilloverReporter implements Reconciler<ModelBackend> {

  public static final String NAME = "modelbackend-spillover";

  public static final String MEASURED = "Measured";
  public static final String NO_METRICS_SOURCE = "NoMetricsSource";
  public static final String PROMETHEUS_UNREACHABLE = "PrometheusUnreachable";
  public static final String QUERY_FAILED = "QueryFailed";

  /** Index of the RoutingPolicy cache: the names of the backends a policy routes to. */
  static final String BACKEND_NAME_INDEX = "aihandler.io/backend-names";

  /** The windows the status reports, shortest first. */
  static final Duration DAY = Duration.ofHours(24);

  static final Duration WEEK = Duration.ofDays(7);

  private static final Logger LOG = LoggerFactory.getLogger(SpilloverReporter.class);

  private final Clock clock;
  private final AdvisorSettings settings;
  private final Optional<PrometheusClient> prometheus;

  /** When each backend (by uid) was last measured, to keep to one measurement per interval. */
  private final Map<String, Instant> measured = new ConcurrentHashMap<>();

  private InformerEventSource<RoutingPolicy, ModelBackend> policies;

  public SpilloverReporter(Clock clock, AdvisorSettings settings) {
    this.clock = clock;
    this.settings = settings;
    this.prometheus = settings.prometheusClient();
  }

  /**
   * The RoutingPolicies, to tell which series are a backend's; not needed, and not cached, without
   * a Prometheus. A policy change triggers nothing: the next measurement reads it.
   */
  @Override
  public List<EventSource<?, ModelBackend>> prepareEventSources(
      EventSourceContext<ModelBackend> context) {
    if (prometheus.isEmpty()) {
      return List.of();
    }
    policies =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(RoutingPolicy.class, ModelBackend.class)
                .withSecondaryToPrimaryMapper(policy -> Set.of())
                .build(),
            context);
    policies.addIndexers(
        Map.of(
            BACKEND_NAME_INDEX,
            policy ->
                RoutingPolicyReconciler.referencedBackends(policy).stream()
                    .map(BackendKey::name)
                    .distinct()
                    .toList()));
    return List.of(policies);
  }

  @Override
  public UpdateControl<ModelBackend> reconcile(
      ModelBackend backend, Context<ModelBackend> context) {
    String uid = backend.getMetadata().getUid();
    Instant now = clock.instant();
    if (backend.getSpec() == null || backend.getSpec().vllm() == null) {
      // Nothing spills over from a hosted backend; what was written while it was vLLM goes.
      measured.remove(uid);
      write(backend, context, null, null, now);
      return UpdateControl.noUpdate();
    }
    if (prometheus.isEmpty()) {
      write(
          backend,
          context,
          null,
          new Desired(
              Conditions.SPILL_OVER_MEASURED,
              false,
              NO_METRICS_SOURCE,
              "no Prometheus is configured (chart value advisor.prometheusUrl, variable"
                  + " ADVISOR_PROMETHEUS_URL): the sidecars' spill-over metrics are not read"),
          now);
      return UpdateControl.noUpdate();
    }
    Duration interval = settings.refreshInterval();
    Instant last = measured.get(uid);
    if (last != null && last.plus(interval).isAfter(now)) {
      return UpdateControl.<ModelBackend>noUpdate()
          .rescheduleAfter(Duration.between(now, last.plus(interval)));
    }
    // Entries of deleted backends: a live one is measured again long before.
    measured.values().removeIf(at -> at.plus(interval.multipliedBy(3)).isBefore(now));
    measured.put(uid, now);

    BackendKey key = BackendKey.of(backend);
    SpilloverSelection selection =
        SpilloverSelection.of(key, routingTo(key), settings.namespaceLabel());
    try {
      SpillOver figures = measure(selection, now);
      write(
          backend,
          context,
          figures,
          new Desired(
              Conditions.SPILL_OVER_MEASURED,
              true,
              MEASURED,
              "from Prometheus at "
                  + prometheus.get().describe()
                  + ", the last 24h and 7d, measured every "
                  + describe(interval)
                  + ": "
                  + selection.describe()),
          now);
    } catch (PrometheusQueryException e) {
      String reason = e.unreachable() ? PROMETHEUS_UNREACHABLE : QUERY_FAILED;
      // Once per transition, not at every interval while Prometheus stays away.
      String before =
          Conditions.lookup(
                  ModelBackendStatusFields.spillOverOnly(backend.getStatus()).getConditions(),
                  Conditions.SPILL_OVER_MEASURED)
              .map(c -> c.getReason())
              .orElse(null);
      if (!reason.equals(before)) {
        LOG.warn("no spill-over figures for ModelBackend {}: {}", key, e.getMessage());
      }
      write(
          backend,
          context,
          null,
          new Desired(Conditions.SPILL_OVER_MEASURED, false, reason, e.getMessage()),
          now);
    }
    return UpdateControl.<ModelBackend>noUpdate().rescheduleAfter(interval);
  }

  private static String describe(Duration interval) {
    long seconds = interval.toSeconds();
    return seconds % 3600 == 0
        ? seconds / 3600 + "h"
        : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }

  /** The policies that route to a backend named like this one, or like its qualified name. */
  private List<RoutingPolicy> routingTo(BackendKey key) {
    Map<String, RoutingPolicy> found = new LinkedHashMap<>();
    for (String name : List.of(key.name(), key.namespace() + "." + key.name())) {
      policies
          .byIndex(BACKEND_NAME_INDEX, name)
          .forEach(p -> found.putIfAbsent(p.getMetadata().getUid(), p));
    }
    return List.copyOf(found.values());
  }

  /** Both windows; the day's figures are read only when the week had a spill-over. */
  private SpillOver measure(SpilloverSelection selection, Instant now)
      throws PrometheusQueryException {
    SpillOverFigures week = figures(new SpilloverQueries(selection, WEEK));
    SpillOverFigures day =
        week.requests() == 0 && week.costUsd() == 0
            ? week
            : figures(new SpilloverQueries(selection, DAY));
    return new SpillOver(now.truncatedTo(ChronoUnit.SECONDS).toString(), day, week);
  }

  private SpillOverFigures figures(SpilloverQueries queries) throws PrometheusQueryException {
    double requests = single(prometheus.get().query(queries.requests()));
    double cost = single(prometheus.get().query(queries.cost()));
    // Whole requests and cents: finer digits would move with increase()'s extrapolation at every
    // measurement, and each move would cost a status write.
    return new SpillOverFigures(Math.round(requests), Math.round(cost * 100) / 100.0);
  }

  /** The one sample of a sum; none: no such series, nothing spilled over. */
  private double single(List<PrometheusClient.Sample> samples) throws PrometheusQueryException {
    if (samples.isEmpty()) {
      return 0;
    }
    double value = samples.getFirst().value();
    if (samples.size() > 1 || !Double.isFinite(value) || value < 0) {
      throw new PrometheusQueryException(
          "Prometheus at "
              + prometheus.get().describe()
              + " answered a sum of spill-overs that is not one finite, non-negative number");
    }
    return value;
  }

  /**
   * Writes the reporter's fields when they change. Figures that came out the same keep their {@code
   * measuredAt}, so a measurement that finds nothing new writes nothing.
   *
   * @param figures null: none to show
   * @param condition null: none (a hosted backend)
   */
  private static void write(
      ModelBackend backend,
      Context<ModelBackend> context,
      SpillOver figures,
      Desired condition,
      Instant now) {
    long generation = Optional.ofNullable(backend.getMetadata().getGeneration()).orElse(0L);
    StatusPatch.write(
        backend,
        context,
        ModelBackendStatusFields::spillOverOnly,
        stored -> {
          ModelBackendStatus status = new ModelBackendStatus();
          SpillOver before = stored.getSpillOver();
          status.setSpillOver(
              figures != null
                      && before != null
                      && Objects.equals(before.last24h(), figures.last24h())
                      && Objects.equals(before.last7d(), figures.last7d())
                  ? before
                  : figures);
          status.setConditions(
              condition == null
                  ? List.of()
                  : Conditions.merge(stored.getConditions(), List.of(condition), generation, now));
          return status;
        });
  }
}
