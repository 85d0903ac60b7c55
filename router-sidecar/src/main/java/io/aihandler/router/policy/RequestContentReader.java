package io.aihandler.router.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.runtime.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Reads a request the way a backend will: every object key and every value at any depth (only the
 * top-level {@code model}, which names a task, route or backend of this router, is left out), and
 * inside every string that is itself a JSON object or array (tool-call {@code arguments}, a tool
 * result) the decoded keys and values instead of the raw text, since a provider adapter decodes
 * them and the plain text is what reaches the model. Content parts it cannot read make the request
 * unscannable; inside embedded JSON everything is text to the model, and read as text.
 *
 * <p>The work is bounded by the request's size: a decoded string replaces its raw form in the text,
 * each string is parsed once, and decoding nests at most {@link #MAX_EMBEDDED_DEPTH} strings deep.
 */
final class RequestContentReader {

  /** Strings inside strings inside strings: deeper than any tool call nests in practice. */
  static final int MAX_EMBEDDED_DEPTH = 4;

  // Arrays and objects inside one embedded string; deeper is refused by the parser, unscannable.
  private static final int MAX_EMBEDDED_NESTING = 64;

  // The content-part types that carry only text, in Chat Completions and Responses.
  private static final Set<String> TEXT_PARTS =
      Set.of("text", "input_text", "output_text", "refusal", "summary_text", "reasoning_text");

  private static final JsonFactory EMBEDDED =
      Json.factoryBuilder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(MAX_EMBEDDED_NESTING).build())
          .build();

  private final StringBuilder text;
  private boolean unscannable;

  private RequestContentReader(boolean collectText) {
    this.text = collectText ? new StringBuilder(1024) : null;
  }

  /**
   * Reads a request.
   *
   * @param collectText whether to build the text; without it only unscannable content is looked for
   *     (no class has detectors)
   */
  static RequestContent read(JsonNode request, boolean collectText) {
    RequestContentReader reader = new RequestContentReader(collectText);
    if (request != null && request.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = request.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!"model".equals(e.getKey())) {
          reader.field(e.getKey(), e.getValue(), 0);
        }
      }
    } else {
      reader.value(request, null, 0);
    }
    return new RequestContent(collectText ? reader.text.toString() : "", reader.unscannable);
  }

  private void field(String key, JsonNode value, int embedded) {
    append(key);
    value(value, key, embedded);
  }

  private void value(JsonNode node, String key, int embedded) {
    if (node == null || node.isNull() || node.isMissingNode() || node.isBoolean()) {
      return;
    }
    if (node.isTextual()) {
      string(node.textValue(), embedded);
    } else if (node.isNumber()) {
      // Plain digits, so that a card number sent as a JSON number is still one digit run.
      append(node.isFloatingPointNumber() ? node.decimalValue().toPlainString() : node.asText());
    } else if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        field(e.getKey(), e.getValue(), embedded);
      }
    } else if (node.isArray()) {
      boolean parts = "content".equals(key);
      for (JsonNode child : node) {
        if (parts && child.isObject() && !isTextPart(child)) {
          unscannable = true;
        }
        value(child, null, embedded);
      }
    } else {
      // Binary or POJO nodes do not come from parsed JSON; fail closed if one ever does.
      unscannable = true;
    }
  }

  private static boolean isTextPart(JsonNode part) {
    JsonNode type = part.get("type");
    return type != null && type.isTextual() && TEXT_PARTS.contains(type.textValue());
  }

  private void string(String s, int embedded) {
    if (isDataUrl(s)) {
      unscannable = true;
    }
    if (looksLikeJson(s)) {
      if (embedded >= MAX_EMBEDDED_DEPTH) {
        unscannable = true;
      } else if (decoded(s, embedded + 1)) {
        return;
      }
    }
    append(s);
  }

  /**
   * Reads a string as JSON, token by token (no tree: the string is already in memory once, and
   * duplicate keys are all read). When it turns out not to be JSON ("[sic]", "{name}", "[1] and
   * [2]"), what was read of it is taken back and false returned, so the caller reads it as text.
   */
  private boolean decoded(String s, int embedded) {
    int mark = text == null ? 0 : text.length();
    boolean unscannableBefore = unscannable;
    try (JsonParser p = EMBEDDED.createParser(s)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case FIELD_NAME -> append(p.currentName());
          case VALUE_STRING -> string(p.getText(), embedded);
          // The number as written: a card number keeps its digits.
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> append(p.getText());
          default -> {}
        }
      }
      return true;
    } catch (StreamConstraintsException e) {
      takeBack(mark, unscannableBefore);
      unscannable = true;
      return false;
    } catch (IOException e) {
      takeBack(mark, unscannableBefore);
      return false;
    }
  }

  private void takeBack(int mark, boolean unscannableBefore) {
    if (text != null) {
      text.setLength(mark);
    }
    unscannable = unscannableBefore;
  }

  private static boolean isDataUrl(String s) {
    return s.regionMatches(true, 0, "data:", 0, 5) && s.indexOf(";base64,", 5) > 0;
  }

  private static boolean looksLikeJson(String s) {
    int first = 0;
    int last = s.length() - 1;
    while (first <= last && Character.isWhitespace(s.charAt(first))) {
      first++;
    }
    while (last > first && Character.isWhitespace(s.charAt(last))) {
      last--;
    }
    if (last <= first) {
      return false;
    }
    char open = s.charAt(first);
    char close = s.charAt(last);
    return (open == '{' && close == '}') || (open == '[' && close == ']');
  }

  private void append(String value) {
    if (text != null) {
      TextNormalizer.append(value, text);
      text.append('\n');
    }
  }
}
