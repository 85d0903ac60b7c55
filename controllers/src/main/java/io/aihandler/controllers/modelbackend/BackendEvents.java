package io.aihandler.controllers.modelbackend;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on a ModelBackend ({@code kubectl describe mb} shows them). Events are
 * best effort: failing to record one never fails a reconciliation.
 */
public final class BackendEvents {

  private static final Logger LOG = LoggerFactory.getLogger(BackendEvents.class);

  private final KubernetesClient client;
  private final Clock clock;

  public BackendEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A Normal event. */
  public void normal(ModelBackend backend, String reason, String message) {
    record(backend, "Normal", reason, message);
  }

  /** A Warning event. */
  public void warning(ModelBackend backend, String reason, String message) {
    record(backend, "Warning", reason, message);
  }

  private void record(ModelBackend backend, String type, String reason, String message) {
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(backend.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
            .withNamespace(backend.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(backend.getApiVersion())
            .withKind(backend.getKind())
            .withName(backend.getMetadata().getName())
            .withNamespace(backend.getMetadata().getNamespace())
            .withUid(backend.getMetadata().getUid())
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
      client.v1().events().inNamespace(backend.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn("could not record event {} on ModelBackend {}/{}: HTTP {}", reason,
          backend.getMetadata().getNamespace(), backend.getMetadata().getName(), e.getCode());
    }
  }
}
