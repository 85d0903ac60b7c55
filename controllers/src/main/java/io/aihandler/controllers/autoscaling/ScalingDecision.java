package io.aihandler.controllers.autoscaling;

/**
 * What the autoscaler wants now.
 *
 * @param replicas the replicas to run
 * @param reason why, in words for the status history and events
 */
public record ScalingDecision(int replicas, String reason) {}
