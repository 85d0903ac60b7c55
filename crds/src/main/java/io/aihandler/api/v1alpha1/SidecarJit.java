package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which of the JVM's compilers the router sidecar runs with. */
public enum SidecarJit {
  /** C1 only (the default): the least memory; the cheaper trade at a few requests per second. */
  @JsonProperty("quick")
  QUICK,
  /**
   * C1 and C2, one compiler thread each: less CPU per request once compiled, about 45 MiB more
   * resident memory; the cheaper trade above about a hundred requests per second per pod.
   */
  @JsonProperty("full")
  FULL
}
