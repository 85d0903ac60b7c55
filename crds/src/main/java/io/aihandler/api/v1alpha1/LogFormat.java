package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the router sidecar writes its log. */
public enum LogFormat {
  /** Lines for people (the default). */
  @JsonProperty("text")
  TEXT,
  /** One JSON object per line, with the request and trace ids. */
  @JsonProperty("json")
  JSON
}
