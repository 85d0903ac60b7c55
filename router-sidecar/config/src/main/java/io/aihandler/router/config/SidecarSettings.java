package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * The sidecar process's own settings (Workflow {@code spec.sidecar}).
 *
 * @param host address to bind; default {@code 127.0.0.1} so only the pod's containers reach it
 * @param port port to listen on; default 4080
 * @param logLevel {@code error}, {@code warn}, {@code info} (default) or {@code debug}
 * @param logPrompts log prompt and completion text; default false, logs then hold routing facts
 *     only
 * @param maxRequestBytes largest request body accepted; default 4 MiB, larger ones get 413
 * @param reloadInterval how often the config and credential files are checked for changes;
 *     default 2s
 * @param shutdownGrace how long in-flight requests may run on after a stop signal; default 30s
 * @param managementHost address of the management listener ({@code /healthz}, {@code /readyz},
 *     {@code /metrics} only); default {@code 0.0.0.0}, so the kubelet's probes and Prometheus reach
 *     it on the pod IP while the API stays on loopback
 * @param managementPort port of the management listener; default {@code port + 1}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SidecarSettings(
    String host,
    Integer port,
    String logLevel,
    Boolean logPrompts,
    Long maxRequestBytes,
    String reloadInterval,
    String shutdownGrace,
    String managementHost,
    Integer managementPort) {

  /** The settings of a document that has no {@code sidecar} section. */
  public static final SidecarSettings DEFAULTS =
      new SidecarSettings(null, null, null, null, null, null, null, null, null);

  public SidecarSettings {
    host = host == null ? "127.0.0.1" : host;
    port = port == null ? 4080 : port;
    logLevel = logLevel == null ? "info" : logLevel;
    logPrompts = logPrompts != null && logPrompts;
    maxRequestBytes = maxRequestBytes == null ? 4L * 1024 * 1024 : maxRequestBytes;
    reloadInterval = reloadInterval == null ? "2s" : reloadInterval;
    shutdownGrace = shutdownGrace == null ? "30s" : shutdownGrace;
    managementHost = managementHost == null ? "0.0.0.0" : managementHost;
    managementPort = managementPort == null ? port + 1 : managementPort;
  }

  /** {@link #reloadInterval()} as a duration. */
  public Duration reloadIntervalDuration() {
    return Durations.parse(reloadInterval);
  }

  /** {@link #shutdownGrace()} as a duration. */
  public Duration shutdownGraceDuration() {
    return Durations.parse(shutdownGrace);
  }
}
