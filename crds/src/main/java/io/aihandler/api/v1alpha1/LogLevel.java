package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Log verbosity of the router sidecar. */
public enum LogLevel {
  @JsonProperty("error")
  ERROR,
  @JsonProperty("warn")
  WARN,
  @JsonProperty("info")
  INFO,
  @JsonProperty("debug")
  DEBUG
}
