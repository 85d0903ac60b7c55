package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How the sidecar asks the operator to bring a scaled-to-zero backend up: {@code POST <url>} with
 * body {@code {"modelBackend": "<namespace>/<name>"}} and {@code Authorization: Bearer <token>},
 * the token read from {@code tokenPath} on every call (the kubelet rotates it). The operator
 * verifies it with a TokenReview for the audience {@code aihandler.io/activation}.
 *
 * @param url the operator's activation endpoint, e.g. {@code
 *     https://aihandler-operator.aihandler-system.svc:9443/activations}
 * @param tokenPath the pod's projected ServiceAccount token for that audience
 * @param caCertificate PEM of the CA that signed the operator's serving certificate
 * @param minInterval least time between two activation calls for one backend; default 10s
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Activation(String url, String tokenPath, String caCertificate, String minInterval) {

  /** The audience the projected token is minted for and the TokenReview checks. */
  public static final String AUDIENCE = "aihandler.io/activation";

  public Activation {
    minInterval = minInterval == null ? "10s" : minInterval;
  }

  public java.time.Duration minIntervalDuration() {
    return Durations.parse(minInterval);
  }
}
