package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.validation.OutputValidator;
import java.util.List;

/** Judges a completion against the call's schema, and words the re-ask that repairs it. */
final class OutputCheck {

  private OutputCheck() {}

  /** Validates a completion's answer when a schema applies. */
  static AttemptResult judge(ObjectNode completion, OutputValidator validator) {
    if (validator == null) {
      return new AttemptResult.Valid(completion, null);
    }
    JsonNode choice = completion.path("choices").path(0);
    String finish = choice.path("finish_reason").asText("");
    if ("tool_calls".equals(finish)) {
      // The model asks the application to run tools; the answer comes in a later turn.
      return new AttemptResult.Valid(completion, null);
    }
    String content = choice.path("message").path("content").asText(null);
    if ("length".equals(finish)) {
      return new AttemptResult.Invalid(
          completion,
          content,
          List.of("the answer was cut off at the token limit (finish_reason length)"));
    }
    OutputValidator.Verdict verdict = validator.check(content);
    if (!verdict.valid()) {
      return new AttemptResult.Invalid(completion, content, verdict.errors());
    }
    // Hand on the bare JSON even when the model wrapped it in a code fence.
    ((ObjectNode) choice.path("message")).put("content", verdict.value().toString());
    return new AttemptResult.Valid(completion, verdict.value());
  }

  /** The request again, with the invalid answer and what is wrong with it appended. */
  static ObjectNode repairRequest(ObjectNode request, AttemptResult.Invalid inv) {
    ObjectNode repaired = request.deepCopy();
    ArrayNode messages = repaired.withArray("messages");
    ObjectNode assistant = messages.addObject();
    assistant.put("role", "assistant");
    assistant.put("content", inv.content() == null ? "" : inv.content());
    ObjectNode user = messages.addObject();
    user.put("role", "user");
    user.put(
        "content",
        "Your previous answer is not valid: "
            + String.join("; ", inv.errors())
            + ". Answer again with one JSON value only that matches the required schema.");
    return repaired;
  }
}
