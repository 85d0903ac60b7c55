package io.aihandler.router.shadow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Evaluation;
import io.aihandler.router.config.EvaluationCandidate;
import io.aihandler.router.config.Pricing;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.config.SidecarSettings;
import io.aihandler.router.metrics.EvaluationMetrics;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.routing.CallRecord;
import io.aihandler.router.routing.Outcome;
import io.aihandler.router.routing.RequestRouter;
import io.aihandler.router.routing.RoutedCall;
import io.aihandler.router.routing.TokenEstimate;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.Json;
import io.aihandler.router.runtime.RouterRuntime;
import io.aihandler.router.runtime.TaskRuntime;
import io.aihandler.router.server.MemoryBudget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;

/**
 * Judges every task answer a client got, and mirrors a sample of task requests to the task's
 * evaluation candidates once the client has its answer. A mirrored request is routed to the
 * candidate alone exactly as a real call of the task: the same rendered prompt, schema, repair
 * policy, retries and timeout, the candidate's own limits and circuit. Its answer is judged and
 * compared with the primary's; nothing of it reaches any client.
 *
 * <p>Nothing here can change what a client gets or when: {@link #answered} runs after the response
 * is complete, does no I/O, and only queues; the calls run on {@link ShadowExecutor}'s threads.
 */
public final class ShadowEvaluation implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.shadow");
  private static final ObjectMapper MAPPER = Json.mapper();

  static final String VALID_FIRST_TRY = "valid_first_try";
  static final String VALID_AFTER_REPAIR = "valid_after_repair";
  static final String INVALID = "invalid";
  static final String FAILED = "failed";

  private final RequestRouter router;
  private final RouterMetrics metrics;
  private final EvaluationMetrics evaluation;
  private final ShadowExecutor executor;
  private final ShadowSampler sampler;
  private final ShadowBudget budget;

  /**
   * Shadow evaluation within the sidecar's shadow settings, on the wall clock's UTC days.
   *
   * @param memoryBytes the heap the plan reserved for shadow calls
   */
  public ShadowEvaluation(
      RequestRouter router, RouterMetrics metrics, SidecarSettings s, long memoryBytes) {
    this(
        router,
        metrics,
        new ShadowExecutor(s.shadowConcurrency(), s.shadowQueue(), memoryBytes),
        new ShadowSampler(),
        new ShadowBudget(Clock.systemUTC()));
  }

  ShadowEvaluation(
      RequestRouter router,
      RouterMetrics metrics,
      ShadowExecutor executor,
      ShadowSampler sampler,
      ShadowBudget budget) {
    this.router = router;
    this.metrics = metrics;
    this.evaluation = metrics.evaluation();
    this.executor = executor;
    this.sampler = sampler;
    this.budget = budget;
  }

  /**
   * A request has been answered (its response complete, or its failure sent). For a task's chat
   * call: counts its data class, judges its answer as the {@code primary}, and queues a shadow call
   * to each candidate it is sampled for.
   */
  public void answered(RouterRuntime rt, RoutedCall call, CallRecord record) {
    if (call == null || call.taskName() == null || "embeddings".equals(call.endpoint())) {
      return;
    }
    try {
      String task = call.taskName();
      evaluation.dataClass(task, call.decision().label());
      if (!record.routed()) {
        return;
      }
      String result = result(record);
      evaluation.answer(
          task,
          record.backend(),
          EvaluationMetrics.PRIMARY,
          result,
          record.routedNanos(),
          record.inputTokens(),
          record.outputTokens(),
          record.cost());
      TaskRuntime t = rt.task(task);
      Evaluation ev = t == null ? null : t.config().evaluate();
      if (ev != null && !ev.candidates().isEmpty()) {
        mirror(rt, call, record, ev, valid(result));
      }
    } catch (RuntimeException e) {
      // The client has its answer; a fault here must not reach it, nor carry any of its text.
      metrics.backgroundTaskFailure("shadow");
      LOG.log(Level.WARNING, "shadow evaluation failed: {0}", e.getClass().getName());
    }
  }

  private void mirror(
      RouterRuntime rt, RoutedCall call, CallRecord record, Evaluation ev, boolean primaryValid) {
    String task = call.taskName();
    byte[] request = null;
    byte[] primary = null;
    for (EvaluationCandidate candidate : ev.candidates()) {
      if (!sampler.sampled(candidate.sampleRate())) {
        continue;
      }
      String name = candidate.backend();
      BackendRuntime b = rt.backend(name);
      if (b == null) {
        continue; // the validator makes every candidate a backend of the document
      }
      if (name.equals(record.backend())) {
        continue; // the candidate gave the answer itself: it is judged as the primary already
      }
      if (!primaryValid) {
        evaluation.skipped(task, name, "primary_failed");
        continue;
      }
      if (!call.decision().allows(b.config().locality())) {
        // The request's classes (the task's, the detectors', the header's) forbid it: nothing of
        // this request leaves for that backend.
        evaluation.skipped(task, name, "data_class");
        continue;
      }
      if (b.breaker().getState() == CircuitBreaker.State.OPEN
          || b.breaker().getState() == CircuitBreaker.State.FORCED_OPEN) {
        evaluation.skipped(task, name, "circuit_open");
        continue;
      }
      if (request == null) {
        request = bytes(shadowRequest(call.request()));
        primary = record.output() == null ? new byte[0] : bytes(record.output());
      }
      double worstCase = worstCase(b.config(), call);
      if (!budget.tryReserve(task, ev.dailyCostCap(), worstCase)) {
        evaluation.skipped(task, name, "cost_cap");
        continue;
      }
      byte[] req = request;
      byte[] out = primary;
      long held = (long) (req.length + out.length) * MemoryBudget.BYTES_PER_BODY_BYTE;
      boolean queued =
          executor.offer(held, charge -> run(rt, call, name, req, out, worstCase, charge));
      if (!queued) {
        budget.settle(task, worstCase, 0);
        evaluation.skipped(task, name, "busy");
      }
    }
  }

  /** One shadow call, on a shadow thread. */
  private void run(
      RouterRuntime rt,
      RoutedCall primaryCall,
      String candidate,
      byte[] requestBytes,
      byte[] primaryBytes,
      double worstCase,
      ShadowExecutor.Charge charge) {
    String task = primaryCall.taskName();
    CallRecord record = new CallRecord();
    record.memory(charge);
    String result;
    JsonNode shadowOutput = null;
    try {
      ObjectNode request = (ObjectNode) MAPPER.readTree(requestBytes);
      RoutedCall shadow =
          new RoutedCall(
              "shadow",
              primaryCall.requestedModel(),
              task,
              alone(primaryCall.route(), candidate),
              request,
              primaryCall.validator(),
              primaryCall.schemaName(),
              primaryCall.maxRepairAttempts(),
              primaryCall.decision(),
              primaryCall.timeout(),
              false);
      shadowOutput = router.complete(rt, shadow, record).output();
      result = record.invalidAnswers() == 0 ? VALID_FIRST_TRY : VALID_AFTER_REPAIR;
    } catch (ApiException e) {
      String skipped = skipReason(rt, candidate, record, e);
      if (skipped != null) {
        budget.settle(task, worstCase, record.cost());
        if (!skipped.isEmpty()) {
          evaluation.skipped(task, candidate, skipped);
        }
        return;
      }
      result = record.outcome() == Outcome.INVALID_OUTPUT ? INVALID : FAILED;
    } catch (IOException | RuntimeException e) {
      budget.settle(task, worstCase, record.cost());
      metrics.backgroundTaskFailure("shadow");
      LOG.log(Level.WARNING, "shadow call failed: {0}", e.getClass().getName());
      return;
    }
    budget.settle(task, worstCase, record.cost());
    evaluation.answer(
        task,
        candidate,
        EvaluationMetrics.SHADOW,
        result,
        record.routedNanos(),
        record.inputTokens(),
        record.outputTokens(),
        record.cost());
    LOG.log(
        Level.DEBUG,
        "shadow call of task {0} to backend {1}: {2}, {3} attempts",
        task,
        candidate,
        result,
        record.attempts());
    if (shadowOutput != null && primaryBytes.length > 0 && primaryCall.validator() != null) {
      compare(task, candidate, primaryCall, primaryBytes, shadowOutput);
    }
  }

  private void compare(
      String task, String candidate, RoutedCall call, byte[] primaryBytes, JsonNode shadow) {
    JsonNode primary;
    try {
      primary = MAPPER.readTree(primaryBytes);
    } catch (IOException e) {
      throw new IllegalStateException("the primary answer was serialised here", e);
    }
    AnswerComparison.Result r =
        AnswerComparison.compare(call.validator().schemaNode(), primary, shadow);
    evaluation.agreement(task, candidate, "exact", r.exact(), 1);
    evaluation.agreement(task, candidate, "field", true, r.fieldsAgreeing());
    evaluation.agreement(task, candidate, "field", false, r.fieldsDisagreeing());
  }

  /**
   * Why a shadow call that ended in an error is a skip rather than the candidate's answer: null
   * when it is the candidate's failure, empty when it is counted nowhere (the sidecar stopping).
   */
  private static String skipReason(
      RouterRuntime rt, String candidate, CallRecord record, ApiException e) {
    if ("shutting_down".equals(e.code())) {
      return "";
    }
    if (ShadowExecutor.Charge.OVERLOADED.equals(e.code())) {
      return "busy";
    }
    if ("data_policy_blocked".equals(e.code())) {
      return "data_class";
    }
    if (record.attempts() == 0) {
      // Admission refused every attempt: the circuit, or the candidate's own limits.
      BackendRuntime b = rt.backend(candidate);
      CircuitBreaker.State state = b == null ? null : b.breaker().getState();
      return state == CircuitBreaker.State.CLOSED || state == null ? "limits" : "circuit_open";
    }
    return null;
  }

  /** The judged result of a call from its record. */
  static String result(CallRecord record) {
    if (record.outcome() == Outcome.SUCCESS) {
      return record.invalidAnswers() == 0 ? VALID_FIRST_TRY : VALID_AFTER_REPAIR;
    }
    return record.outcome() == Outcome.INVALID_OUTPUT ? INVALID : FAILED;
  }

  private static boolean valid(String result) {
    return result.equals(VALID_FIRST_TRY) || result.equals(VALID_AFTER_REPAIR);
  }

  /** The primary's route with the candidate as its only target: same attempts, times, backoff. */
  static Route alone(Route r, String candidate) {
    return new Route(
        r.name(),
        List.of(new RouteTarget(candidate, 1, 0)),
        null,
        r.fallbackOn(),
        r.maxAttempts(),
        r.backoff(),
        r.perTryTimeout(),
        r.timeout(),
        r.firstTokenTimeout(),
        r.streamIdleTimeout(),
        r.circuitBreaker(),
        r.spillOver(),
        r.coldStartTimeout());
  }

  /** The request as a whole (unstreamed) call: a shadow answer is judged whole. */
  private static ObjectNode shadowRequest(ObjectNode request) {
    ObjectNode copy = JsonNodeFactory.instance.objectNode().setAll(request);
    copy.put("stream", false);
    copy.remove("stream_options");
    return copy;
  }

  /**
   * The most one shadow call may cost: its estimated input and most output at the dearer of the
   * candidate's two prices, once for the first answer and once per repair.
   */
  private static double worstCase(Backend b, RoutedCall call) {
    Pricing p = b.pricing();
    if (p == null) {
      return 0;
    }
    double in = p.inputPerMillionTokens() == null ? 0 : p.inputPerMillionTokens();
    double out = p.outputPerMillionTokens() == null ? 0 : p.outputPerMillionTokens();
    long tokens = TokenEstimate.of(call.request(), b.defaultMaxTokens());
    return tokens * Math.max(in, out) / 1_000_000d * (1 + call.maxRepairAttempts());
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /** Shadow calls waiting or running now. */
  int pending() {
    return executor.pending();
  }

  /** Spent today on the task's shadow calls. */
  double spentToday(String task) {
    return budget.spentToday(task);
  }

  @Override
  public void close() {
    executor.close();
  }
}
