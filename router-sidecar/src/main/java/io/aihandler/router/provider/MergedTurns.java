package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation as Anthropic and Gemini want it: consecutive OpenAI messages of one role (e.g.
 * several tool results, or a user message after them) merged into one turn of blocks or parts.
 */
public final class MergedTurns {

  /** One provider message being assembled. */
  public record Turn(String role, ArrayNode items) {}

  private final List<Turn> turns = new ArrayList<>();

  /**
   * Adds items to the last turn when it has this role, else starts a new turn; none adds nothing.
   */
  public void append(String role, List<ObjectNode> items) {
    if (items.isEmpty()) {
      return;
    }
    Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
    if (last == null || !last.role().equals(role)) {
      last = new Turn(role, JsonNodeFactory.instance.arrayNode());
      turns.add(last);
    }
    last.items().addAll(items);
  }

  /** Puts a turn before all others (Anthropic's conversations must open with the user). */
  public void prepend(String role, ObjectNode item) {
    Turn first = new Turn(role, JsonNodeFactory.instance.arrayNode());
    first.items().add(item);
    turns.add(0, first);
  }

  public boolean isEmpty() {
    return turns.isEmpty();
  }

  public List<Turn> turns() {
    return turns;
  }
}
