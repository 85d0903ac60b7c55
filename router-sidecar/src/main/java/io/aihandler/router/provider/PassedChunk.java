package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A chunk passed through as bytes: the upstream's own JSON with only the fields the sidecar owns
 * replaced, and the facts the router needs from it read on the way, so the chunk is never built as
 * a tree nor written again.
 *
 * @param json the chunk to send as one event's data, on one line; null when there is nothing to
 *     send (the end marker, or a usage chunk the client did not ask for)
 * @param usage the chunk's {@code usage} object, to meter; null when it carries none
 * @param carriesContent whether a choice's delta carries text, a refusal or tool calls
 */
public record PassedChunk(byte[] json, JsonNode usage, boolean carriesContent) {

  /** Nothing to send and nothing to meter. */
  public static final PassedChunk NOTHING = new PassedChunk(null, null, false);
}
