package io.aihandler.router.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a Responses request says besides its conversation, as the response object echoes it back.
 *
 * @param instructions the instructions text, or null
 * @param tools the function tools in the Responses shape, empty when none
 * @param toolChoice {@code auto}, {@code none}, {@code required} or a function choice object
 * @param parallelToolCalls whether the model may call several tools at once
 * @param text the text settings, {@code {"format": {"type": "text"}}} when none were given
 * @param metadata the client's metadata, returned and never forwarded
 * @param user the end-user id, or null
 * @param previousResponseId the response this one continues, or null
 * @param reasoningEffort the reasoning effort asked for, or null
 * @param store whether the response may be kept for a later {@code previous_response_id}
 * @param stream whether the answer is streamed as events
 */
record ResponseSettings(
    String instructions,
    ArrayNode tools,
    JsonNode toolChoice,
    boolean parallelToolCalls,
    ObjectNode text,
    ObjectNode metadata,
    String user,
    String previousResponseId,
    String reasoningEffort,
    boolean store,
    boolean stream) {}
