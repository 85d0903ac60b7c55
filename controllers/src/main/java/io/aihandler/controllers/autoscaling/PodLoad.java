package io.aihandler.controllers.autoscaling;

import java.util.OptionalDouble;

/**
 * The load signal one ready vLLM pod reported, or the failure to read it.
 *
 * @param pod the pod's name
 * @param value the signal, empty when the pod did not answer or its metrics lacked the signal
 * @param failure why there is no value, null when there is one
 * @param activity what the pod is doing and has done, for the idle window of scale to zero; null
 *     when unknown (the pod did not answer, or its metrics lack the request gauges)
 */
public record PodLoad(String pod, OptionalDouble value, String failure, PodActivity activity) {

  /** A pod that answered, with no activity reading. */
  public static PodLoad of(String pod, double value) {
    return new PodLoad(pod, OptionalDouble.of(value), null, null);
  }

  /** A pod that answered, with its activity. */
  public static PodLoad of(String pod, double value, PodActivity activity) {
    return new PodLoad(pod, OptionalDouble.of(value), null, activity);
  }

  /** A pod whose load is unknown. */
  public static PodLoad failed(String pod, String failure) {
    return new PodLoad(pod, OptionalDouble.empty(), failure, null);
  }

  public boolean answered() {
    return value.isPresent();
  }
}
