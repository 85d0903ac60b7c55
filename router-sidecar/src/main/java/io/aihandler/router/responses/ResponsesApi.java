package io.aihandler.router.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.routing.CallRecord;
import io.aihandler.router.routing.RequestRouter;
import io.aihandler.router.routing.RoutedCall;
import io.aihandler.router.runtime.RouterRuntime;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * {@code POST /v1/responses}: a Responses request is translated into a chat request, routed by the
 * {@link RequestRouter} like any chat request (so tasks, data classes, limits, retries, fallbacks,
 * validation and metrics all apply), and its answer translated back into a response object or the
 * Responses event stream. Conversations of stored responses are kept in the {@link ResponseStore}
 * for {@code previous_response_id}.
 */
public final class ResponsesApi {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.responses");

  /** Chat parameter names in resolver errors, as the Responses request calls them. */
  private static final Map<String, String> RESPONSES_PARAM =
      Map.of(
          "messages", "input",
          "max_tokens", "max_output_tokens",
          "max_completion_tokens", "max_output_tokens",
          "response_format", "text.format",
          "reasoning_effort", "reasoning.effort");

  private final RequestRouter router;
  private final ResponseStore store;

  public ResponsesApi(RequestRouter router, ResponseStore store) {
    this.router = router;
    this.store = store;
  }

  /**
   * One request, resolved.
   *
   * @param routed the chat call to route
   * @param settings what the request said
   * @param response the response objects' builder
   * @param conversation the turns to store with the answer: the previous conversation, this
   *     request's input and a task's user turn, never the instructions
   * @param maxStoredBytes the largest conversation kept, the size of a request body
   */
  public record Call(
      RoutedCall routed,
      ResponseSettings settings,
      ResponseObject response,
      List<JsonNode> conversation,
      long maxStoredBytes) {

    public boolean streaming() {
      return settings.stream();
    }
  }

  /**
   * Resolves a request.
   *
   * @param resolveChat resolves the translated chat request as {@code POST /v1/chat/completions}
   *     does: model, task, route and data classes
   * @param chargeBody charges the request the heap a request body of so many bytes takes: the
   *     replayed conversation becomes a tree and goes upstream as a body of its size would
   */
  public Call resolve(
      RouterRuntime rt,
      ObjectNode body,
      Function<ObjectNode, RoutedCall> resolveChat,
      LongConsumer chargeBody) {
    ResponseSettings settings = ResponsesRequestTranslator.settings(body);
    StoredConversation previous = null;
    List<ObjectNode> replayed = List.of();
    if (settings.previousResponseId() != null) {
      previous = store.get(settings.previousResponseId());
      if (previous == null) {
        throw new ApiException(
            404,
            "invalid_request_error",
            "previous_response_not_found",
            "previous_response_id",
            "Previous response with id '"
                + settings.previousResponseId()
                + "' not found: it was"
                + " never stored (store: false), has expired, or was evicted");
      }
      chargeBody.accept(previous.bytes().length);
      replayed = previous.messages();
    }
    ResponsesRequestTranslator.ChatRequest chat =
        ResponsesRequestTranslator.chatRequest(
            body, settings, replayed, rt.config().sidecar().maxJsonArrayItems());
    Set<JsonNode> built = Collections.newSetFromMap(new IdentityHashMap<>());
    chat.chat().path("messages").forEach(built::add);
    RoutedCall routed;
    try {
      routed = resolveChat.apply(chat.chat());
    } catch (ApiException e) {
      throw inResponsesTerms(e);
    }
    routed = routed.withEndpoint("responses").withClientWantsUsage(true);
    if (previous != null) {
      routed =
          withDecision(routed, DataClassCarryOver.narrow(routed.decision(), previous.decision()));
    }
    List<JsonNode> conversation = new ArrayList<>();
    JsonNode messages = routed.request().path("messages");
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      boolean taskSystemPrompt =
          i == 0 && !built.contains(m) && m.path("role").asText().equals("system");
      // Instructions bind only their own response, as in OpenAI's API; so does a task's system
      // prompt, which the task adds again to every turn.
      if (m != chat.instructions() && !taskSystemPrompt) {
        conversation.add(m);
      }
    }
    ResponseObject response =
        new ResponseObject(
            ResponseIds.response(),
            System.currentTimeMillis() / 1000,
            routed.requestedModel(),
            settings,
            routed.request());
    return new Call(
        routed, settings, response, conversation, rt.config().sidecar().maxRequestBytes());
  }

  /** Serves a non-streaming request: the response object. */
  public ObjectNode complete(RouterRuntime rt, Call call, CallRecord record) {
    RequestRouter.Answer answer = router.complete(rt, call.routed(), record);
    ObjectNode completion = answer.completion();
    JsonNode choice = completion.path("choices").path(0);
    boolean stored = keep(call, assistantTurn(choice.path("message")));
    return call.response()
        .finished(
            ResponseObject.outputItems(completion),
            choice.path("finish_reason").asText(null),
            completion.get("usage"),
            stored);
  }

  /**
   * Serves a streaming request as Responses events.
   *
   * @throws IOException when the client went away
   */
  public void stream(RouterRuntime rt, Call call, CallRecord record, ResponseEventWriter writer)
      throws IOException {
    ResponseEventSink sink =
        new ResponseEventSink(writer, call.response(), turn -> keep(call, turn));
    router.stream(rt, call.routed(), record, sink);
  }

  /** Keeps the conversation with its answer, unless the client said not to or it is too large. */
  private boolean keep(Call call, ObjectNode assistantTurn) {
    if (!call.settings().store()) {
      return false;
    }
    List<JsonNode> turns = new ArrayList<>(call.conversation());
    turns.add(assistantTurn);
    StoredConversation conversation = StoredConversation.of(turns, call.routed().decision());
    if (conversation.bytes().length > call.maxStoredBytes()) {
      // Replaying it would make a request larger than any client may send.
      io.aihandler.logging.LogContext.Ids ids = io.aihandler.logging.LogContext.current();
      LOG.log(
          Level.INFO,
          "request {0}: response {1} not stored: its conversation of {2} bytes exceeds"
              + " maxRequestBytes",
          ids == null ? "-" : ids.requestId(),
          call.response().id(),
          String.valueOf(conversation.bytes().length));
      return false;
    }
    return store.put(call.response().id(), conversation);
  }

  /** A chat answer as the assistant turn the conversation keeps. */
  private static ObjectNode assistantTurn(JsonNode message) {
    ObjectNode turn = ((ObjectNode) message).objectNode().put("role", "assistant");
    JsonNode content = message.get("content");
    JsonNode refusal = message.get("refusal");
    if (content != null && content.isTextual()) {
      turn.set("content", content);
    } else if (refusal != null && refusal.isTextual()) {
      turn.set("content", refusal);
    } else {
      turn.putNull("content");
    }
    JsonNode calls = message.get("tool_calls");
    if (calls != null && calls.isArray() && !calls.isEmpty()) {
      turn.set("tool_calls", calls.deepCopy());
    }
    return turn;
  }

  private static ApiException inResponsesTerms(ApiException e) {
    String param = e.param() == null ? null : RESPONSES_PARAM.get(e.param());
    if (param == null) {
      return e;
    }
    return new ApiException(e.status(), e.type(), e.code(), param, e.getMessage());
  }

  private static RoutedCall withDecision(RoutedCall c, DataPolicy.Decision decision) {
    return new RoutedCall(
        c.endpoint(),
        c.requestedModel(),
        c.taskName(),
        c.route(),
        c.request(),
        c.validator(),
        c.schemaName(),
        c.maxRepairAttempts(),
        decision,
        c.timeout(),
        c.clientWantsUsage());
  }
}
