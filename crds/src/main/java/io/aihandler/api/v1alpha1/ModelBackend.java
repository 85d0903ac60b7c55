package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One model endpoint: a vLLM deployment the operator runs on GPUs, or a hosted provider's API whose
 * key the operator checks and provisions.
 */
@JsonClassDescription(
    "One model endpoint: a vLLM deployment the operator runs and autoscales on GPUs, or a hosted provider API whose key the operator checks and provisions.")
@Group(ModelBackend.GROUP)
@Version(ModelBackend.VERSION)
@Plural("modelbackends")
@ShortNames("mb")
@Categories("aihandler")
@AdditionalPrinterColumn(
    name = "Type",
    jsonPath = ".status.type",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "vllm or hosted")
@AdditionalPrinterColumn(
    name = "Model",
    jsonPath = ".status.model",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "The model served")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Whether routers can use the backend")
@AdditionalPrinterColumn(
    name = "Available",
    jsonPath = ".status.readyReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "vLLM pods ready to serve")
@AdditionalPrinterColumn(
    name = "Desired",
    jsonPath = ".status.desiredReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "vLLM pods wanted (fixed or autoscaled)")
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Why the backend is or is not ready")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Endpoint",
    jsonPath = ".status.endpoint",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    getDescription = "Base URL routers use")
@AdditionalPrinterColumn(
    name = "GPU-Hours",
    jsonPath = ".status.gpuUsage.gpuHoursUsed",
    type = AdditionalPrinterColumn.Type.NUMBER,
    priority = 1,
    getDescription = "GPU-hours the backend's pods held")
@AdditionalPrinterColumn(
    name = "Saved",
    jsonPath = ".status.gpuUsage.gpuHoursSaved",
    type = AdditionalPrinterColumn.Type.NUMBER,
    priority = 1,
    getDescription = "GPU-hours scale to zero saved")
@AdditionalPrinterColumn(
    name = "Message",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].message",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    getDescription = "Details of the Ready condition")
public class ModelBackend extends CustomResource<ModelBackendSpec, ModelBackendStatus>
    implements Namespaced {

  public static final String GROUP = "aihandler.io";
  public static final String VERSION = "v1alpha1";
}
