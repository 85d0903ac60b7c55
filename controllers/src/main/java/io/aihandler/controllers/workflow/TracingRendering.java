package io.aihandler.controllers.workflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.v1alpha1.SidecarTracing;
import io.aihandler.api.v1alpha1.Workflow;

/** The router config's {@code sidecar.tracing} from a Workflow's {@code spec.sidecar.tracing}. */
final class TracingRendering {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TracingRendering() {}

  /** The settings as given; {@code serviceName} defaults to the Workflow's name. */
  static ObjectNode of(SidecarTracing t, Workflow workflow) {
    ObjectNode out = JSON.createObjectNode();
    out.put("otlpEndpoint", t.otlpEndpoint());
    if (t.samplingRatio() != null) {
      out.put("samplingRatio", t.samplingRatio());
    }
    if (t.captureContent() != null) {
      out.put("captureContent", t.captureContent());
    }
    out.put(
        "serviceName",
        t.serviceName() != null ? t.serviceName() : workflow.getMetadata().getName());
    if (t.exportTimeout() != null) {
      out.put("exportTimeout", t.exportTimeout());
    }
    if (t.maxQueueSize() != null) {
      out.put("maxQueueSize", t.maxQueueSize());
    }
    return out;
  }
}
