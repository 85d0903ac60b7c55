package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * The sidecar process's own settings (Workflow {@code spec.sidecar}). The limits below bound every
 * byte the sidecar buffers and every wait; docs/router-sidecar.md ("Limits and hardening") lists
 * them with what a client sees when one is reached.
 *
 * @param host address to bind; default {@code 127.0.0.1} so only the pod's containers reach it
 * @param port port to listen on; default 4080
 * @param logLevel {@code error}, {@code warn}, {@code info} (default) or {@code debug}
 * @param logPrompts log prompt and completion text; default false, logs then hold routing facts
 *     only
 * @param maxRequestBytes largest request body accepted; default 1 MiB, larger ones get 413
 * @param reloadInterval how often the config and credential files are checked for changes; default
 *     2s
 * @param shutdownGrace how long in-flight requests may run on after a stop signal; default 30s
 * @param managementHost address of the management listener ({@code /healthz}, {@code /readyz},
 *     {@code /metrics} only); default {@code 0.0.0.0}, so the kubelet's probes and Prometheus reach
 *     it on the pod IP while the API stays on loopback
 * @param managementPort port of the management listener; default {@code port + 1}
 * @param maxConnections open connections the API listener keeps at once; default 128, more wait in
 *     the kernel's backlog until one closes (the management listener keeps at most 32 of its own)
 * @param maxConcurrentRequests requests served at once; default 128, more get 503 {@code
 *     overloaded} with {@code Retry-After}
 * @param idleTimeout how long a connection may sit between requests, or before its first (then the
 *     shorter of this and {@code headerReadTimeout}), or after an answer that left a declared body
 *     unread; default 30s
 * @param headerReadTimeout how long a request's line and headers may take to arrive; default 10s
 * @param bodyReadTimeout how long a request's body may take to arrive; default 30s
 * @param maxJsonDepth deepest nesting of objects and arrays in a request body; default 64
 * @param maxJsonArrayItems most items in any one array of a request body (messages, content parts,
 *     tools); default 4096
 * @param maxUpstreamResponseBytes largest whole (non-streaming) answer read from a backend; default
 *     1 MiB, a larger one ends the attempt with 502 {@code upstream_response_too_large}
 * @param maxUpstreamErrorBytes most of an upstream error body read to classify it; default 64 KiB
 *     (the rest is discarded, the connection closed)
 * @param maxSseEventBytes largest server-sent event (or line) read from a streaming backend;
 *     default 1 MiB, a larger one ends the stream with {@code upstream_event_too_large}
 * @param responsesStoreEntries most responses {@code POST /v1/responses} keeps for {@code
 *     previous_response_id} at once; default 256, the oldest is dropped first (0 stores none)
 * @param responsesStoreBytes most heap those stored responses take together; default 512 KiB,
 *     reserved out of the heap plan at start
 * @param responsesStoreTtl how long a stored response can be continued; default 1h, at most 24h
 * @param activation how to ask the operator to wake a scaled-to-zero backend; null means the
 *     sidecar never asks (standalone)
 * @param maxHeldRequests most requests held at once for one backend with no ready replica; default
 *     64, more get 503 with {@code Retry-After}
 * @param holdKeepAliveInterval how often a held streaming request gets an SSE comment before its
 *     first event, so clients and proxies do not time it out; default 10s
 * @param shadowConcurrency shadow-evaluation calls run at once, on their own threads, never in a
 *     client's place among {@code maxConcurrentRequests}; default 2, 0 turns shadow calls off
 * @param shadowQueue shadow calls waiting for one of those threads; default 8, a sampled request
 *     that finds the queue full is not mirrored (counted {@code busy})
 * @param shadowMemoryBytes heap the waiting and running shadow calls may hold together (their
 *     requests, the primary answers they are compared with, the candidates' answers, read in steps
 *     of 256 KiB of heap); default 1 MiB, reserved out of the heap plan at start when a task
 *     evaluates candidates; a call that does not fit is dropped as {@code busy}
 * @param tracing OpenTelemetry traces: where they are exported, sampling, content capture; off by
 *     default
 * @param logFormat {@code text} (default, for people) or {@code json} (one JSON object per line,
 *     the schema in docs/observability.md)
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
    Integer managementPort,
    Integer maxConnections,
    Integer maxConcurrentRequests,
    String idleTimeout,
    String headerReadTimeout,
    String bodyReadTimeout,
    Integer maxJsonDepth,
    Integer maxJsonArrayItems,
    Long maxUpstreamResponseBytes,
    Long maxUpstreamErrorBytes,
    Long maxSseEventBytes,
    Integer responsesStoreEntries,
    Long responsesStoreBytes,
    String responsesStoreTtl,
    Activation activation,
    Integer maxHeldRequests,
    String holdKeepAliveInterval,
    Integer shadowConcurrency,
    Integer shadowQueue,
    Long shadowMemoryBytes,
    Tracing tracing,
    String logFormat) {

  /** The settings of a document that has no {@code sidecar} section. */
  public static final SidecarSettings DEFAULTS =
      new SidecarSettings(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

  public SidecarSettings {
    host = host == null ? "127.0.0.1" : host;
    port = port == null ? 4080 : port;
    logLevel = logLevel == null ? "info" : logLevel;
    logPrompts = logPrompts != null && logPrompts;
    maxRequestBytes = maxRequestBytes == null ? 1024L * 1024 : maxRequestBytes;
    reloadInterval = reloadInterval == null ? "2s" : reloadInterval;
    shutdownGrace = shutdownGrace == null ? "30s" : shutdownGrace;
    managementHost = managementHost == null ? "0.0.0.0" : managementHost;
    managementPort = managementPort == null ? port + 1 : managementPort;
    maxConnections = maxConnections == null ? 128 : maxConnections;
    maxConcurrentRequests = maxConcurrentRequests == null ? 128 : maxConcurrentRequests;
    idleTimeout = idleTimeout == null ? "30s" : idleTimeout;
    headerReadTimeout = headerReadTimeout == null ? "10s" : headerReadTimeout;
    bodyReadTimeout = bodyReadTimeout == null ? "30s" : bodyReadTimeout;
    maxJsonDepth = maxJsonDepth == null ? 64 : maxJsonDepth;
    maxJsonArrayItems = maxJsonArrayItems == null ? 4096 : maxJsonArrayItems;
    maxUpstreamResponseBytes =
        maxUpstreamResponseBytes == null ? 1024L * 1024 : maxUpstreamResponseBytes;
    maxUpstreamErrorBytes = maxUpstreamErrorBytes == null ? 64L * 1024 : maxUpstreamErrorBytes;
    maxSseEventBytes = maxSseEventBytes == null ? 1024L * 1024 : maxSseEventBytes;
    responsesStoreEntries = responsesStoreEntries == null ? 256 : responsesStoreEntries;
    responsesStoreBytes = responsesStoreBytes == null ? 512L * 1024 : responsesStoreBytes;
    responsesStoreTtl = responsesStoreTtl == null ? "1h" : responsesStoreTtl;
    maxHeldRequests = maxHeldRequests == null ? 64 : maxHeldRequests;
    holdKeepAliveInterval = holdKeepAliveInterval == null ? "10s" : holdKeepAliveInterval;
    shadowConcurrency = shadowConcurrency == null ? 2 : shadowConcurrency;
    shadowQueue = shadowQueue == null ? 8 : shadowQueue;
    shadowMemoryBytes = shadowMemoryBytes == null ? 1024L * 1024 : shadowMemoryBytes;
    tracing = tracing == null ? Tracing.OFF : tracing;
    logFormat = logFormat == null ? "text" : logFormat;
  }

  /** {@link #holdKeepAliveInterval()} as a duration. */
  public Duration holdKeepAliveIntervalDuration() {
    return Durations.parse(holdKeepAliveInterval);
  }

  /** {@link #reloadInterval()} as a duration. */
  public Duration reloadIntervalDuration() {
    return Durations.parse(reloadInterval);
  }

  /** {@link #shutdownGrace()} as a duration. */
  public Duration shutdownGraceDuration() {
    return Durations.parse(shutdownGrace);
  }

  /** {@link #idleTimeout()} as a duration. */
  public Duration idleTimeoutDuration() {
    return Durations.parse(idleTimeout);
  }

  /** {@link #headerReadTimeout()} as a duration. */
  public Duration headerReadTimeoutDuration() {
    return Durations.parse(headerReadTimeout);
  }

  /** {@link #responsesStoreTtl()} as a duration. */
  public Duration responsesStoreTtlDuration() {
    return Durations.parse(responsesStoreTtl);
  }

  /** {@link #bodyReadTimeout()} as a duration. */
  public Duration bodyReadTimeoutDuration() {
    return Durations.parse(bodyReadTimeout);
  }
}
