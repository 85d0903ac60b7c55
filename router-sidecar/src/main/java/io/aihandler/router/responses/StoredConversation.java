package io.aihandler.router.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.runtime.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored response's conversation, as the chat messages it was routed with (instructions aside),
 * and the data classes of every turn in it. The messages are kept as their JSON bytes: a compact
 * form whose heap is what the store counts.
 *
 * @param bytes the messages as a JSON array
 * @param decision the data classes the conversation carries, and the localities they allow
 */
public record StoredConversation(byte[] bytes, DataPolicy.Decision decision) {

  private static final ObjectMapper MAPPER = Json.mapper();

  static StoredConversation of(List<? extends JsonNode> messages, DataPolicy.Decision decision) {
    try {
      return new StoredConversation(
          MAPPER.writeValueAsBytes(MAPPER.createArrayNode().addAll(List.copyOf(messages))),
          decision);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /** The messages, parsed afresh for each request that continues the conversation. */
  List<ObjectNode> messages() {
    try {
      List<ObjectNode> out = new ArrayList<>();
      for (JsonNode m : MAPPER.readTree(bytes)) {
        out.add((ObjectNode) m);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("a stored conversation always parses", e);
    }
  }
}
