package io.aihandler.operator;

import java.time.Duration;

/**
 * How replicas take over from one another.
 *
 * @param leaseDuration how long a Lease holds without renewal before another replica may take it
 * @param renewDeadline how long the leader keeps trying to renew before it gives up leading
 * @param retryPeriod how often followers try to acquire, and the leader renews
 * @param exitOnLostLeadership end the process when leadership is lost, so the pod restarts as a
 *     clean follower (production); tests keep the process
 */
public record LeaderElectionTiming(
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod,
    boolean exitOnLostLeadership) {

  /** Kubernetes' usual controller timing: 15 s lease, 10 s renew deadline, 2 s retry. */
  public static final LeaderElectionTiming PRODUCTION =
      new LeaderElectionTiming(
          Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), true);
}
