package io.aihandler.router.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.routing.ChunkSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the router's {@code chat.completion.chunk} stream into the Responses event stream: {@code
 * response.created}, {@code response.in_progress}, then for each output item its {@code added},
 * content and {@code done} events, then {@code response.completed} (or {@code
 * response.incomplete}); a stream that breaks after it began ends with {@code error} and {@code
 * response.failed}. Every event carries the next {@code sequence_number}. Confined to the request's
 * thread, as the router's sink calls are.
 */
final class ResponseEventSink implements ChunkSink {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Keeps the finished answer's turn of the conversation; says whether it was kept. */
  @FunctionalInterface
  interface Finisher {
    boolean finish(ObjectNode assistantTurn);
  }

  /** The assistant message being streamed, if any. */
  private static final class Message {
    final String id = ResponseIds.message();
    final int outputIndex;
    final StringBuilder text = new StringBuilder();
    final StringBuilder refusal = new StringBuilder();

    /** {@code output_text}, {@code refusal} or null: the content part now open. */
    String openPart;

    int parts;

    Message(int outputIndex) {
      this.outputIndex = outputIndex;
    }
  }

  /** A function call being streamed. */
  private static final class Call {
    final String id = ResponseIds.functionCall();
    final int outputIndex;
    final String callId;
    final String name;
    final StringBuilder arguments = new StringBuilder();
    JsonNode extraContent;

    Call(int outputIndex, String callId, String name) {
      this.outputIndex = outputIndex;
      this.callId = callId;
      this.name = name;
    }
  }

  private final ResponseEventWriter writer;
  private final ResponseObject response;
  private final Finisher finisher;

  /** The output items by output index: finished ones in their final form. */
  private final List<ObjectNode> output = new ArrayList<>();

  /** Function calls by their chat tool-call index, in the order they began. */
  private final Map<Integer, Call> calls = new LinkedHashMap<>();

  private final StringBuilder allText = new StringBuilder();
  private Message message;
  private String finishReason;
  private JsonNode usage;
  private int sequence;

  ResponseEventSink(ResponseEventWriter writer, ResponseObject response, Finisher finisher) {
    this.writer = writer;
    this.response = response;
    this.finisher = finisher;
  }

  @Override
  public void begin() throws IOException {
    writer.begin();
    emit("response.created").set("response", response.inProgress());
    send();
    emit("response.in_progress").set("response", response.inProgress());
    send();
  }

  @Override
  public void keepAlive() throws IOException {
    writer.keepAlive();
  }

  @Override
  public void flush() throws IOException {
    writer.flush();
  }

  @Override
  public void chunk(ObjectNode chunk) throws IOException {
    if (chunk.path("usage").isObject()) {
      usage = chunk.get("usage");
    }
    JsonNode choice = chunk.path("choices").path(0);
    JsonNode delta = choice.path("delta");
    if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
      text("output_text", delta.get("content").asText());
    }
    if (delta.path("refusal").isTextual() && !delta.get("refusal").asText().isEmpty()) {
      text("refusal", delta.get("refusal").asText());
    }
    JsonNode toolCalls = delta.path("tool_calls");
    for (int i = 0; i < toolCalls.size(); i++) {
      toolCall(toolCalls.get(i), i);
    }
    if (choice.path("finish_reason").isTextual()) {
      finishReason = choice.get("finish_reason").asText();
    }
  }

  @Override
  public void done() throws IOException {
    String itemStatus =
        ResponseObject.incompleteReason(finishReason) == null ? "completed" : "incomplete";
    if (message == null && calls.isEmpty() && output.isEmpty()) {
      // An empty answer is still one message with an empty text, as in a whole response.
      openMessage();
      openPart("output_text");
    }
    closeMessage(itemStatus);
    for (Call c : calls.values()) {
      ObjectNode args = emit("response.function_call_arguments.done");
      args.put("item_id", c.id).put("output_index", c.outputIndex);
      args.put("arguments", c.arguments.toString()).put("name", c.name);
      send();
      ObjectNode item = callItem(c, "completed");
      output.set(c.outputIndex, item);
      ObjectNode done = emit("response.output_item.done");
      done.put("output_index", c.outputIndex).set("item", item);
      send();
    }
    boolean stored = finisher.finish(assistantTurn());
    ObjectNode finished = response.finished(outputArray(), finishReason, usage, stored);
    String type =
        finished.path("status").asText().equals("completed")
            ? "response.completed"
            : "response.incomplete";
    emit(type).set("response", finished);
    send();
    writer.end();
  }

  @Override
  public void error(ApiException error) throws IOException {
    ObjectNode e = emit("error");
    e.put("code", error.code());
    e.put("message", error.getMessage());
    e.put("param", error.param());
    send();
    if (message != null) {
      output.set(message.outputIndex, messageItem(message, "incomplete"));
    }
    for (Call c : calls.values()) {
      if (output.get(c.outputIndex).path("status").asText().equals("in_progress")) {
        output.set(c.outputIndex, callItem(c, "incomplete"));
      }
    }
    emit("response.failed").set("response", response.failed(outputArray(), error));
    send();
    writer.end();
  }

  // ---- items ----

  private void text(String partType, String delta) throws IOException {
    if (message == null) {
      openMessage();
    }
    if (!partType.equals(message.openPart)) {
      closePart();
      openPart(partType);
    }
    (partType.equals("refusal") ? message.refusal : message.text).append(delta);
    // A refusal is replayed to later turns as the assistant's text: chat has no other place for it.
    allText.append(delta);
    ObjectNode e =
        emit(partType.equals("refusal") ? "response.refusal.delta" : "response.output_text.delta");
    e.put("item_id", message.id).put("output_index", message.outputIndex);
    e.put("content_index", message.parts - 1).put("delta", delta);
    if (partType.equals("output_text")) {
      e.putArray("logprobs");
    }
    send();
  }

  private void toolCall(JsonNode delta, int position) throws IOException {
    int index = delta.path("index").asInt(position);
    Call c = calls.get(index);
    if (c == null) {
      // Text comes before the calls: once a call begins, the message is finished.
      closeMessage("completed");
      c =
          new Call(
              output.size(),
              delta.path("id").asText(""),
              delta.path("function").path("name").asText(""));
      if (delta.has("extra_content")) {
        c.extraContent = delta.get("extra_content");
      }
      calls.put(index, c);
      ObjectNode item = callItem(c, "in_progress");
      output.add(item);
      ObjectNode added = emit("response.output_item.added");
      added.put("output_index", c.outputIndex).set("item", item);
      send();
    }
    String args = delta.path("function").path("arguments").asText("");
    if (!args.isEmpty()) {
      c.arguments.append(args);
      ObjectNode e = emit("response.function_call_arguments.delta");
      e.put("item_id", c.id).put("output_index", c.outputIndex).put("delta", args);
      send();
    }
  }

  private void openMessage() throws IOException {
    message = new Message(output.size());
    ObjectNode item = messageItem(message, "in_progress");
    item.putArray("content");
    output.add(item);
    ObjectNode added = emit("response.output_item.added");
    added.put("output_index", message.outputIndex).set("item", item);
    send();
  }

  private void openPart(String partType) throws IOException {
    message.openPart = partType;
    message.parts++;
    ObjectNode e = emit("response.content_part.added");
    e.put("item_id", message.id).put("output_index", message.outputIndex);
    e.put("content_index", message.parts - 1);
    e.set(
        "part",
        partType.equals("refusal") ? ResponseObject.refusalPart("") : ResponseObject.textPart(""));
    send();
  }

  private void closePart() throws IOException {
    if (message.openPart == null) {
      return;
    }
    boolean refusal = message.openPart.equals("refusal");
    String whole = (refusal ? message.refusal : message.text).toString();
    ObjectNode done = emit(refusal ? "response.refusal.done" : "response.output_text.done");
    done.put("item_id", message.id).put("output_index", message.outputIndex);
    done.put("content_index", message.parts - 1);
    if (refusal) {
      done.put("refusal", whole);
    } else {
      done.put("text", whole);
      done.putArray("logprobs");
    }
    send();
    ObjectNode partDone = emit("response.content_part.done");
    partDone.put("item_id", message.id).put("output_index", message.outputIndex);
    partDone.put("content_index", message.parts - 1);
    partDone.set(
        "part", refusal ? ResponseObject.refusalPart(whole) : ResponseObject.textPart(whole));
    send();
    message.openPart = null;
  }

  private void closeMessage(String status) throws IOException {
    if (message == null) {
      return;
    }
    closePart();
    ObjectNode item = messageItem(message, status);
    output.set(message.outputIndex, item);
    ObjectNode done = emit("response.output_item.done");
    done.put("output_index", message.outputIndex).set("item", item);
    send();
    message = null;
  }

  private static ObjectNode messageItem(Message m, String status) {
    ObjectNode item = JSON.objectNode();
    item.put("id", m.id);
    item.put("type", "message");
    item.put("status", status);
    item.put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (!m.text.isEmpty() || m.refusal.isEmpty()) {
      content.add(ResponseObject.textPart(m.text.toString()));
    }
    if (!m.refusal.isEmpty()) {
      content.add(ResponseObject.refusalPart(m.refusal.toString()));
    }
    return item;
  }

  private static ObjectNode callItem(Call c, String status) {
    return ResponseObject.functionCallItem(c.id, status, c.callId, c.name, c.arguments.toString());
  }

  /** The answer as a chat assistant message, the form the conversation is stored in. */
  private ObjectNode assistantTurn() {
    ObjectNode turn = JSON.objectNode().put("role", "assistant");
    if (allText.isEmpty() && !calls.isEmpty()) {
      turn.putNull("content");
    } else {
      turn.put("content", allText.toString());
    }
    if (!calls.isEmpty()) {
      ArrayNode toolCalls = turn.putArray("tool_calls");
      for (Call c : calls.values()) {
        ObjectNode call = toolCalls.addObject().put("id", c.callId).put("type", "function");
        call.putObject("function").put("name", c.name).put("arguments", c.arguments.toString());
        if (c.extraContent != null) {
          // Gemini's thought signatures ride here; a later turn must send them back.
          call.set("extra_content", c.extraContent);
        }
      }
    }
    return turn;
  }

  private ArrayNode outputArray() {
    return JSON.arrayNode().addAll(output);
  }

  // ---- events ----

  private ObjectNode pending;
  private String pendingType;

  /** Starts an event: its type first, its fields as the caller adds them, then the sequence. */
  private ObjectNode emit(String type) {
    pendingType = type;
    pending = JSON.objectNode().put("type", type);
    return pending;
  }

  private void send() throws IOException {
    pending.put("sequence_number", sequence++);
    writer.event(pendingType, pending);
  }
}
