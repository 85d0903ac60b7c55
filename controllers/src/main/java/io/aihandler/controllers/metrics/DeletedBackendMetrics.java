package io.aihandler.controllers.metrics;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceAction;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import java.util.Map;

/**
 * Removes a ModelBackend's per-backend series when it is deleted. ModelBackends have no finalizer,
 * so no reconcile sees the deletion; JOSDK's metrics hook does, as the primary's DELETED event.
 */
public final class DeletedBackendMetrics implements Metrics {

  private final OperatorMetrics metrics;

  public DeletedBackendMetrics(OperatorMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    if (event instanceof ResourceEvent resourceEvent
        && resourceEvent.getAction() == ResourceAction.DELETED
        && resourceEvent.getResource().orElse(null) instanceof ModelBackend backend) {
      metrics.forgetBackend(backend.getMetadata().getNamespace(), backend.getMetadata().getName());
    }
  }
}
