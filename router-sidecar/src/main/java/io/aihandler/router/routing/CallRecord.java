package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.runtime.ColdCapacity;
import io.aihandler.router.runtime.MemoryCharge;
import io.aihandler.router.tracing.RequestSpan;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened to one request, filled in while it is routed: the access log line and the metrics
 * read it. Confined to the request's thread.
 */
public final class CallRecord {
  String backend = "none";
  String task = "none";
  int attempts;
  long inputTokens;
  long outputTokens;
  double cost;
  long upstreamNanos;
  final List<String> failures = new ArrayList<>();
  Outcome outcome = Outcome.SUCCESS;
  boolean routed;
  long routedNanos;
  int invalidAnswers;
  JsonNode output;
  private MemoryCharge memory = MemoryCharge.NONE;
  private ColdCapacity.ClientWatch client = ColdCapacity.ClientWatch.NONE;
  // For traces and logs: the request's id, its span, and what validation and fallbacks did.
  private String requestId;
  private RequestSpan trace = RequestSpan.NONE;
  String validation = "none";
  int repairs;
  String fallbackReason;
  String responseModel;

  /** The request's {@code x-request-id}, sent upstream on every attempt; null outside a request. */
  public String requestId() {
    return requestId;
  }

  public void requestId(String requestId) {
    this.requestId = requestId;
  }

  /** The request's span; {@link RequestSpan#NONE} when not traced. */
  public RequestSpan trace() {
    return trace;
  }

  public void trace(RequestSpan trace) {
    this.trace = trace;
  }

  /**
   * {@code valid} or {@code invalid} (the last answer judged against a schema), or {@code none}.
   */
  public String validation() {
    return validation;
  }

  /** Re-asks after invalid output. */
  public int repairs() {
    return repairs;
  }

  /** Why the request last moved to another backend (a fallback trigger's name), or null. */
  public String fallbackReason() {
    return fallbackReason;
  }

  /** The model the answering backend named, or null. */
  public String responseModel() {
    return responseModel;
  }

  /** Where the request's buffers (upstream answers) are charged. */
  public MemoryCharge memory() {
    return memory;
  }

  public void memory(MemoryCharge memory) {
    this.memory = memory;
  }

  /** What tells whether the request's client is still there while it is held. */
  public ColdCapacity.ClientWatch client() {
    return client;
  }

  public void client(ColdCapacity.ClientWatch client) {
    this.client = client;
  }

  public String backend() {
    return backend;
  }

  /** The task's name from the config, or {@code none}: a metric label. */
  public String task() {
    return task;
  }

  public int attempts() {
    return attempts;
  }

  public long inputTokens() {
    return inputTokens;
  }

  public long outputTokens() {
    return outputTokens;
  }

  public double cost() {
    return cost;
  }

  /** Time spent waiting on upstreams and backoff. */
  public long upstreamNanos() {
    return upstreamNanos;
  }

  /** One short line per failed attempt, e.g. {@code gpt-4o: HTTP 503}. */
  public List<String> failures() {
    return failures;
  }

  /** Whether the request reached routing (a resolved call, whatever became of it). */
  public boolean routed() {
    return routed;
  }

  /** Time spent routing: every attempt, repair, retry and backoff, until the answer was whole. */
  public long routedNanos() {
    return routedNanos;
  }

  /** Answers that failed schema validation before the last one (repaired or fallen back from). */
  public int invalidAnswers() {
    return invalidAnswers;
  }

  /** The validated output of a call with a schema that succeeded; null otherwise. */
  public JsonNode output() {
    return output;
  }

  public Outcome outcome() {
    return outcome;
  }

  public void outcome(Outcome outcome) {
    this.outcome = outcome;
  }
}
