package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/**
 * Observed state of a ModelBackend, written only by the operator. Conditions: Ready,
 * WorkloadAvailable and SpillOverMeasured (vllm), CredentialsResolved and CredentialsValid
 * (hosted).
 */
@JsonClassDescription(
    "Observed state, written by the operator: endpoint, replicas, scaling history, GPU-hours, spill-over cost and the conditions Ready, WorkloadAvailable, SpillOverMeasured, CredentialsResolved, CredentialsValid.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelBackendStatus extends ConditionedStatus {

  @JsonPropertyDescription("vllm or hosted, for kubectl get.")
  private String type;

  @JsonPropertyDescription("The model served, for kubectl get.")
  private String model;

  @JsonPropertyDescription(
      "Base URL routers use: the in-cluster Service of a vLLM backend, or the provider's API.")
  private String endpoint;

  @JsonPropertyDescription("vLLM pods that exist.")
  @StatusReplicas
  private Integer replicas;

  @JsonPropertyDescription("vLLM pods that are ready to serve.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Replicas wanted now: spec.vllm.replicas, or the autoscaler's decision.")
  private Integer desiredReplicas;

  @JsonPropertyDescription("Label selector of the vLLM pods, for the scale subresource.")
  @LabelSelector
  private String selector;

  @JsonPropertyDescription("The latest autoscaling decisions, newest last.")
  private List<ScalingEvent> scalingHistory;

  @JsonPropertyDescription(
      "When a router sidecar last asked for this backend because it had no ready replica"
          + " (RFC 3339). Written by the operator's activation endpoint; an activation wakes a"
          + " backend scaled to zero at once and restarts its idle window.")
  private String lastActivationTime;

  @JsonPropertyDescription("GPU-hours used and saved by scale to zero, with their cost.")
  private GpuUsage gpuUsage;

  @JsonPropertyDescription(
      "What requests spilled over to later targets cost while this vLLM backend had no ready"
          + " replica, from Prometheus. Absent without a reachable Prometheus; the condition"
          + " SpillOverMeasured says why.")
  private SpillOver spillOver;

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getModel() {
    return model;
  }

  public void setModel(String model) {
    this.model = model;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public Integer getDesiredReplicas() {
    return desiredReplicas;
  }

  public void setDesiredReplicas(Integer desiredReplicas) {
    this.desiredReplicas = desiredReplicas;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public String getLastActivationTime() {
    return lastActivationTime;
  }

  public void setLastActivationTime(String lastActivationTime) {
    this.lastActivationTime = lastActivationTime;
  }

  public GpuUsage getGpuUsage() {
    return gpuUsage;
  }

  public void setGpuUsage(GpuUsage gpuUsage) {
    this.gpuUsage = gpuUsage;
  }

  public SpillOver getSpillOver() {
    return spillOver;
  }

  public void setSpillOver(SpillOver spillOver) {
    this.spillOver = spillOver;
  }

  public List<ScalingEvent> getScalingHistory() {
    return scalingHistory;
  }

  public void setScalingHistory(List<ScalingEvent> scalingHistory) {
    this.scalingHistory = scalingHistory;
  }
}
