package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.config.Provider;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.tracing.AttemptSpan;
import io.aihandler.router.tracing.ContentCapture;
import io.aihandler.router.tracing.RequestSpan;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One attempt as its span and the upstream request see it: starts the client span, gives the
 * headers that name it (and the request id) upstream, and records what the attempt came to, with
 * the fallback it caused, when the attempt is over.
 */
final class AttemptTrace {

  /** The header carrying the request's id upstream, as the app sent or the sidecar made it. */
  static final String REQUEST_ID_HEADER = "x-request-id";

  private final AttemptSpan span;
  private final CallRecord record;
  private final RoutedCall call;
  private final long inputTokensBefore;
  private final long outputTokensBefore;
  private AttemptResult result;
  private String fallbackReason;
  private String responseModel;

  private AttemptTrace(AttemptSpan span, CallRecord record, RoutedCall call) {
    this.span = span;
    this.record = record;
    this.call = call;
    this.inputTokensBefore = record.inputTokens;
    this.outputTokensBefore = record.outputTokens;
    // What a previous attempt's answer said is not this attempt's.
    record.responseModel = null;
  }

  /** Starts the span of the record's current attempt at {@code b}. */
  static AttemptTrace start(BackendRuntime b, RoutedCall call, CallRecord record, boolean repair) {
    URI base = URI.create(b.config().effectiveBaseUrl());
    int port = base.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(base.getScheme()) ? 443 : 80;
    }
    AttemptSpan span =
        record
            .trace()
            .attempt(
                new RequestSpan.Attempt(
                    record.attempts,
                    b.name(),
                    providerName(b.config().provider()),
                    b.config().model(),
                    base.getHost(),
                    port,
                    repair));
    return new AttemptTrace(span, record, call);
  }

  /** The request with this attempt's headers: its trace context and the request id. */
  OutgoingRequest headers(OutgoingRequest out) {
    Map<String, String> extra = new HashMap<>(span.propagation());
    if (record.requestId() != null) {
      extra.put(REQUEST_ID_HEADER, record.requestId());
    }
    return out.withHeaders(extra);
  }

  /**
   * The model a provider's answer says produced it: {@code model} (OpenAI, vLLM, Anthropic) or
   * {@code modelVersion} (Gemini); null when it names none. Cut to a sane length.
   */
  static String answeringModel(JsonNode upstreamAnswer) {
    JsonNode m = upstreamAnswer.path("model");
    if (!m.isTextual()) {
      m = upstreamAnswer.path("modelVersion");
    }
    if (!m.isTextual()) {
      return null;
    }
    String model = m.asText();
    return model.length() <= 200 ? model : model.substring(0, 200);
  }

  /** What the attempt came to. */
  void result(AttemptResult result) {
    this.result = result;
    this.responseModel = record.responseModel;
    if (call.validator() != null) {
      if (result instanceof AttemptResult.Valid) {
        record.validation = "valid";
      } else if (result instanceof AttemptResult.Invalid) {
        record.validation = "invalid";
      }
    }
  }

  /** The request moves on to another backend after this attempt, for {@code reason}. */
  void fellBack(String reason) {
    fallbackReason = reason;
    record.fallbackReason = reason;
  }

  /** Ends the span; nothing happens when no result was recorded or it ended already. */
  void end() {
    if (result == null) {
      return;
    }
    AttemptResult r = result;
    result = null;
    String outcome;
    String errorType = null;
    JsonNode completion = null;
    String validation = "none";
    switch (r) {
      case AttemptResult.Valid v -> {
        outcome = "ok";
        completion = v.completion();
        validation = call.validator() == null ? "none" : "valid";
      }
      case AttemptResult.Invalid i -> {
        outcome = Outcome.INVALID_OUTPUT.label();
        completion = i.completion();
        validation = "invalid";
        errorType = outcome;
      }
      case AttemptResult.Failed f -> {
        outcome = Failures.outcomeOf(f).label();
        errorType = outcome;
      }
      case AttemptResult.ClientGone g -> {
        outcome = g.outcome().label();
        errorType = outcome;
      }
      case AttemptResult.Embedded e -> outcome = "ok";
      case AttemptResult.Streamed s -> outcome = "ok";
    }
    List<String> finishReasons = new ArrayList<>();
    String output = null;
    if (completion != null) {
      for (JsonNode choice : completion.path("choices")) {
        if (choice.path("finish_reason").isTextual() && finishReasons.size() < 16) {
          finishReasons.add(choice.path("finish_reason").asText());
        }
      }
      if (span.capturesContent()) {
        output = ContentCapture.outputMessages(completion);
      }
    }
    span.end(
        new AttemptSpan.Result(
            outcome,
            errorType,
            responseModel,
            finishReasons,
            record.inputTokens - inputTokensBefore,
            record.outputTokens - outputTokensBefore,
            validation,
            fallbackReason,
            output));
  }

  /**
   * The GenAI conventions' {@code gen_ai.provider.name} of a backend's API: their well-known value
   * where there is one; {@code vllm} for vLLM, which they do not list.
   */
  static String providerName(Provider p) {
    return switch (p) {
      case OPENAI, OPENAI_COMPATIBLE -> "openai";
      case ANTHROPIC -> "anthropic";
      case GEMINI -> "gcp.gemini";
      case AZURE_OPENAI -> "azure.ai.openai";
      case VLLM -> "vllm";
    };
  }
}
