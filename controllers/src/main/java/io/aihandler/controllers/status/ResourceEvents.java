package io.aihandler.controllers.status;

import io.aihandler.controllers.owned.OwnedObjectApplier;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on any of the three kinds ({@code kubectl describe} shows them). Events
 * are best effort: failing to record one never fails a reconciliation. Messages are the conditions'
 * messages, which never carry a secret.
 */
public final class ResourceEvents {

  private static final Logger LOG = LoggerFactory.getLogger(ResourceEvents.class);

  private final KubernetesClient client;
  private final Clock clock;

  public ResourceEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A Normal event. */
  public void normal(HasMetadata resource, String reason, String message) {
    record(resource, "Normal", reason, message);
  }

  /** A Warning event. */
  public void warning(HasMetadata resource, String reason, String message) {
    record(resource, "Warning", reason, message);
  }

  /**
   * An event when {@code Ready} changes status or reason, so {@code kubectl describe} tells the
   * story: Normal when it turns True or for a reason in {@code transientReasons} (a rollout, a
   * model loading), Warning otherwise.
   */
  public void readyChanged(
      HasMetadata resource,
      List<Condition> before,
      List<Condition> after,
      Set<String> transientReasons) {
    Condition was = Conditions.find(before, Conditions.READY);
    Condition now = Conditions.find(after, Conditions.READY);
    if (now == null
        || (was != null
            && Objects.equals(was.getStatus(), now.getStatus())
            && Objects.equals(was.getReason(), now.getReason()))) {
      return;
    }
    if ("False".equals(now.getStatus()) && !transientReasons.contains(now.getReason())) {
      warning(resource, now.getReason(), now.getMessage());
    } else {
      normal(resource, now.getReason(), now.getMessage());
    }
  }

  private void record(HasMetadata resource, String type, String reason, String message) {
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                resource.getMetadata().getName()
                    + "."
                    + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
            .withNamespace(resource.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(resource.getApiVersion())
            .withKind(resource.getKind())
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .withUid(resource.getMetadata().getUid())
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(OwnedObjectApplier.FIELD_MANAGER)
            .endSource()
            .withReportingComponent(OwnedObjectApplier.FIELD_MANAGER)
            .build();
    try {
      client
          .v1()
          .events()
          .inNamespace(resource.getMetadata().getNamespace())
          .resource(event)
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} on {} {}/{}: HTTP {}",
          reason,
          resource.getKind(),
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          e.getCode());
    }
  }
}
