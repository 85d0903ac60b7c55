package io.aihandler.router.provider.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.provider.PassedChunk;
import io.aihandler.router.runtime.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An OpenAI {@code chat.completion.chunk} passed through as its own bytes. One pass of Jackson's
 * streaming parser over the chunk finds the values of the four top-level fields the sidecar owns
 * ({@code id}, {@code object}, {@code created}, {@code model}), the {@code usage} member and what
 * the choices carry; the output is the input with those values spliced in and, when the client did
 * not ask for usage, the usage member cut out. Nothing else is decoded, built or written again.
 *
 * <p>Every token is still read, so a chunk that is not well-formed JSON (malformed UTF-8 included)
 * is never sent on. A chunk of any shape this splice does not take as it is (a field the sidecar
 * owns missing or given twice, a non-scalar where a scalar belongs, no {@code choices} array, an
 * in-band {@code error}, anything after the object, a usage member to cut that comes first) is left
 * to the tree translation, which stays the reference: for every chunk the splice takes, the two
 * give the same JSON.
 */
final class ChunkPassThrough {

  private static final JsonFactory FACTORY = Json.factory();
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
  private static final byte[] OBJECT = quoted("chat.completion.chunk");
  private static final byte[] USAGE_KEY = quoted("usage");

  private final byte[] id;
  private final byte[] created;
  private final byte[] model;

  ChunkPassThrough(String responseId, long createdEpochSeconds, String responseModel) {
    this.id = quoted(responseId);
    this.created = Long.toString(createdEpochSeconds).getBytes(StandardCharsets.US_ASCII);
    this.model = quoted(responseModel);
  }

  private static byte[] quoted(String value) {
    byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value);
    byte[] out = new byte[escaped.length + 2];
    out[0] = '"';
    System.arraycopy(escaped, 0, out, 1, escaped.length);
    out[out.length - 1] = '"';
    return out;
  }

  /** What one chunk carries besides its bytes. */
  static final class Scan {
    boolean finishes;
    boolean carriesContent;
  }

  /**
   * The chunk to send, or null when the tree translation must take it.
   *
   * @param json one event's data, on one line
   * @param keepUsage whether the usage member stays in the chunk
   * @param scan where the facts of the choices are written
   * @throws IOException when the chunk is not well-formed JSON
   */
  PassedChunk pass(byte[] json, boolean keepUsage, Scan scan) throws IOException {
    Edits edits = new Edits();
    JsonNode usage = null;
    boolean hasUsage = false;
    boolean choicesEmpty = false;
    int owned = 0; // bits: id, object, created, model
    boolean hasChoices = false;
    try (JsonParser p = FACTORY.createParser(json)) {
      ParserBase at = (ParserBase) p;
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonToken t = p.nextToken();
      boolean first = true;
      while (t == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        int valueStart = start(at);
        switch (name) {
          case "id", "object", "created", "model" -> {
            int bit = ownedBit(name);
            if ((owned & bit) != 0 || value.isStructStart()) {
              return null;
            }
            owned |= bit;
            edits.add(valueStart, scalarEnd(json, valueStart), replacementFor(bit));
          }
          case "usage" -> {
            if (hasUsage) {
              return null;
            }
            hasUsage = true;
            int valueEnd;
            if (value == JsonToken.START_OBJECT) {
              usage = MAPPER.readTree(p);
              valueEnd = start(at) + 1;
            } else if (value.isStructStart()) {
              p.skipChildren();
              valueEnd = start(at) + 1;
            } else {
              valueEnd = scalarEnd(json, valueStart);
            }
            if (!keepUsage) {
              int comma = commaBefore(json, valueStart);
              if (first || comma < 0) {
                return null; // a usage member first, or under an escaped name: rare, the tree's
              }
              edits.add(comma, valueEnd, null); // the comma before it and the member
            }
          }
          case "choices" -> {
            if (hasChoices || value != JsonToken.START_ARRAY) {
              return null;
            }
            hasChoices = true;
            choicesEmpty = scanChoices(p, scan);
          }
          case "error" -> {
            return null;
          }
          default -> p.skipChildren();
        }
        first = false;
        t = p.nextToken();
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
    }
    if (owned != 0b1111 || !hasChoices) {
      return null;
    }
    if (hasUsage && !keepUsage && choicesEmpty) {
      return new PassedChunk(null, usage, false); // metered, not sent
    }
    return new PassedChunk(edits.apply(json), usage, scan.carriesContent);
  }

  /**
   * Where the current token starts. Jackson keeps the offset one past the token's first byte (its
   * own {@code currentTokenLocation()} subtracts one, but allocates a location object per call,
   * which was a sixth of the bytes a stream allocated).
   */
  private static int start(ParserBase p) {
    return (int) p.getTokenCharacterOffset() - 1;
  }

  /**
   * Where the scalar starting at {@code from} ends: past a string's closing quote, or at the byte
   * that ends a number or literal. The parser checks the value itself; this only finds its end, and
   * never reads past the array.
   */
  private static int scalarEnd(byte[] json, int from) {
    int i = from;
    if (json[i] == '"') {
      i++;
      while (i < json.length && json[i] != '"') {
        i += json[i] == '\\' ? 2 : 1;
      }
      return Math.min(i + 1, json.length);
    }
    while (i < json.length && !delimiter(json[i])) {
      i++;
    }
    return i;
  }

  private static boolean delimiter(byte b) {
    return b == ',' || b == '}' || b == ']' || whitespace(b);
  }

  /**
   * The comma before the member {@code "usage"} whose value starts at {@code valueStart}, read
   * backwards over the colon and the name; -1 when the name is not written as the plain {@code
   * "usage"} (Jackson decoded an escaped form) or no comma precedes it.
   */
  private static int commaBefore(byte[] json, int valueStart) {
    int i = skipBack(json, valueStart - 1);
    if (i < 0 || json[i] != ':') {
      return -1;
    }
    i = skipBack(json, i - 1) - USAGE_KEY.length + 1;
    if (i < 0 || !Arrays.equals(json, i, i + USAGE_KEY.length, USAGE_KEY, 0, USAGE_KEY.length)) {
      return -1;
    }
    i = skipBack(json, i - 1);
    return i >= 0 && json[i] == ',' ? i : -1;
  }

  private static int skipBack(byte[] json, int i) {
    while (i >= 0 && whitespace(json[i])) {
      i--;
    }
    return i;
  }

  private static int ownedBit(String name) {
    return switch (name) {
      case "id" -> 1;
      case "object" -> 2;
      case "created" -> 4;
      default -> 8;
    };
  }

  private byte[] replacementFor(int bit) {
    return switch (bit) {
      case 1 -> id;
      case 2 -> OBJECT;
      case 4 -> created;
      default -> model;
    };
  }

  /**
   * Reads the choices array (the parser on its start) to its end; whether it was empty. A choice
   * finishes with a non-null {@code finish_reason} and carries content with a non-empty {@code
   * delta.content} or {@code delta.refusal} string or a non-empty {@code delta.tool_calls} array,
   * as the tree translation reads them.
   */
  private static boolean scanChoices(JsonParser p, Scan scan) throws IOException {
    boolean empty = true;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      empty = false;
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("finish_reason")) {
          if (value != JsonToken.VALUE_NULL) {
            scan.finishes = true;
          }
          p.skipChildren();
        } else if (field.equals("delta") && value == JsonToken.START_OBJECT) {
          scanDelta(p, scan);
        } else {
          p.skipChildren();
        }
      }
    }
    return empty;
  }

  private static void scanDelta(JsonParser p, Scan scan) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if ((field.equals("content") || field.equals("refusal")) && value == JsonToken.VALUE_STRING) {
        if (p.getTextLength() > 0) {
          scan.carriesContent = true;
        }
      } else if (field.equals("tool_calls") && value == JsonToken.START_ARRAY) {
        if (p.nextToken() != JsonToken.END_ARRAY) {
          scan.carriesContent = true;
          p.skipChildren();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
  }

  private static boolean whitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  /** Ranges of the input replaced (or cut, with no replacement), in ascending order. */
  private static final class Edits {
    private final int[] ranges = new int[10];
    private final byte[][] replacements = new byte[5][];
    private int count;

    void add(int from, int to, byte[] replacement) {
      ranges[2 * count] = from;
      ranges[2 * count + 1] = to;
      replacements[count++] = replacement;
    }

    byte[] apply(byte[] in) {
      int length = in.length;
      for (int i = 0; i < count; i++) {
        length -= ranges[2 * i + 1] - ranges[2 * i];
        length += replacements[i] == null ? 0 : replacements[i].length;
      }
      byte[] out = new byte[length];
      int from = 0;
      int at = 0;
      for (int i = 0; i < count; i++) {
        int start = ranges[2 * i];
        System.arraycopy(in, from, out, at, start - from);
        at += start - from;
        if (replacements[i] != null) {
          System.arraycopy(replacements[i], 0, out, at, replacements[i].length);
          at += replacements[i].length;
        }
        from = ranges[2 * i + 1];
      }
      System.arraycopy(in, from, out, at, in.length - from);
      return out;
    }
  }
}
