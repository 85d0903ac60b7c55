package io.aihandler.controllers.autoscaling;

import java.util.OptionalDouble;

/**
 * The load signal one ready vLLM pod reported, or the failure to read it.
 *
 * @param pod the pod's name
 * @param value the signal, empty when the pod did not answer or its metrics lacked the signal
 * @param failure why there is no value, null when there is one
 */
public record PodLoad(String pod, OptionalDouble value, String failure) {

  /** A pod that answered. */
  public static PodLoad of(String pod, double value) {
    return new PodLoad(pod, OptionalDouble.of(value), null);
  }

  /** A pod whose load is unknown. */
  public static PodLoad failed(String pod, String failure) {
    return new PodLoad(pod, OptionalDouble.empty(), failure);
  }

  public boolean answered() {
    return value.isPresent();
  }
}
