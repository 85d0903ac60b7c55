package io.aihandler.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RequestContentReaderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static RequestContent read(String json) throws Exception {
    JsonNode request = JSON.readTree(json);
    return RequestContentReader.read(request, true);
  }

  @Test
  void readsEveryKeyAndValueButTheTopLevelModel() throws Exception {
    RequestContent c =
        read(
            """
            {"model": "secret-task", "temperature": 0.5, "stream": true,
             "messages": [{"role": "user", "content": "hi", "model": "inner-model"}],
             "metadata": {"model": "meta-model", "n": 4111111111111111},
             "tools": [{"type": "function", "function": {"name": "lookup",
               "parameters": {"type": "object", "properties": {"jane@example.com": {"type": "string"}}}}}]}
            """);

    assertThat(c.text().split("\n"))
        .contains(
            "messages",
            "role",
            "user",
            "content",
            "hi",
            "model",
            "inner-model",
            "metadata",
            "meta-model",
            "4111111111111111",
            "properties",
            "jane@example.com",
            "0.5")
        .doesNotContain("secret-task", "true");
    assertThat(c.unscannable()).isFalse();
  }

  @Test
  void decodesJsonEmbeddedInStrings() throws Exception {
    // Tool-call arguments are JSON text, whose escapes a provider adapter decodes.
    String inner = "{\"deep\":\"x\\u0040y.org\"}";
    String arguments =
        "{\"email\":\"jane.doe\\u0040example.com\",\"n\":[" + JSON.writeValueAsString(inner) + "]}";
    ObjectNode request = JSON.createObjectNode();
    request
        .putArray("messages")
        .addObject()
        .put("role", "assistant")
        .putArray("tool_calls")
        .addObject()
        .put("type", "function")
        .putObject("function")
        .put("name", "lookup")
        .put("arguments", arguments);

    RequestContent c = RequestContentReader.read(request, true);

    assertThat(c.text().split("\n"))
        .contains("email", "jane.doe@example.com", "deep", "x@y.org")
        .noneMatch(line -> line.contains("\\u0040"));
  }

  @Test
  void stringsThatOnlyLookLikeJsonStayText() throws Exception {
    RequestContent c = read("{\"a\": \"[sic]\", \"b\": \"{name}\", \"c\": \"[1] and [2]\"}");

    assertThat(c.text().split("\n")).contains("[sic]", "{name}", "[1] and [2]");
    assertThat(c.unscannable()).isFalse();
  }

  @Test
  void everyValueOfADuplicatedKeyInEmbeddedJsonIsRead() throws Exception {
    ObjectNode request =
        JSON.createObjectNode()
            .put("arguments", "{\"email\":\"none\",\"email\":\"jane@example.com\"}");

    assertThat(RequestContentReader.read(request, true).text().split("\n"))
        .containsExactly("arguments", "email", "none", "email", "jane@example.com");
  }

  @Test
  void whatWasDecodedOfAStringThatIsNotJsonIsTakenBack() throws Exception {
    ObjectNode request =
        JSON.createObjectNode().put("a", "[\"data:image/png;base64,iVBO\", \"x\"] and more]");

    RequestContent c = RequestContentReader.read(request, true);

    assertThat(c.text()).isEqualTo("a\n[\"data:image/png;base64,iVBO\", \"x\"] and more]\n");
    assertThat(c.unscannable()).isFalse();
  }

  @Test
  void normalisesEachValueOnItsOwnLine() throws Exception {
    RequestContent c = read("{\"a\": \"4111\\n1111\", \"b\": \"１２\\u200b３\"}");

    assertThat(c.text()).isEqualTo("a\n4111 1111\nb\n123\n");
  }

  @Test
  void contentPartsOtherThanTextAreUnscannable() throws Exception {
    String text =
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"hi\"}]}]}";
    assertThat(read(text).unscannable()).isFalse();
    for (String part :
        new String[] {
          "{\"type\": \"image_url\", \"image_url\": {\"url\": \"https://example.com/a.png\"}}",
          "{\"type\": \"input_audio\", \"input_audio\": {\"data\": \"UklGR\", \"format\": \"wav\"}}",
          "{\"type\": \"file\", \"file\": {\"file_id\": \"file-abc\"}}",
          "{\"type\": \"input_image\", \"image_url\": \"https://example.com/a.png\"}",
          "{\"type\": \"something_new\"}",
          "{\"text\": \"a part without a type\"}"
        }) {
      String request =
          "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"hi\"}, "
              + part
              + "]}]}";
      assertThat(read(request).unscannable()).as(part).isTrue();
    }
  }

  @Test
  void dataUrlsAnywhereAreUnscannable() throws Exception {
    assertThat(read("{\"x\": {\"y\": \"data:application/pdf;base64,JVBERi0xLjQK\"}}").unscannable())
        .isTrue();
    assertThat(read("{\"x\": \"data: the numbers we saw\"}").unscannable()).isFalse();
  }

  @Test
  void toolsAndToolCallsAreNotContentParts() throws Exception {
    RequestContent c =
        read(
            """
            {"tools": [{"type": "function", "function": {"name": "f"}}],
             "response_format": {"type": "json_schema", "json_schema": {"name": "o", "schema": {}}},
             "messages": [{"role": "assistant", "tool_calls": [{"id": "1", "type": "function",
               "function": {"name": "f", "arguments": "{}"}}]}]}
            """);

    assertThat(c.unscannable()).isFalse();
  }

  @Test
  void embeddedJsonTooDeepToDecodeIsUnscannable() throws Exception {
    String deep = "[".repeat(100) + "\"jane@example.com\"" + "]".repeat(100);
    assertThat(read("{\"arguments\": " + JSON.writeValueAsString(deep) + "}").unscannable())
        .isTrue();

    String nested = "{\"a\":\"x@y.org\"}";
    for (int i = 0; i < RequestContentReader.MAX_EMBEDDED_DEPTH; i++) {
      nested = "{\"a\":" + JSON.writeValueAsString(nested) + "}";
    }
    assertThat(read(nested).text()).as("strings in strings, to the limit").contains("x@y.org");
    assertThat(read(nested).unscannable()).isFalse();
    nested = "{\"a\":" + JSON.writeValueAsString(nested) + "}";
    assertThat(read(nested).unscannable()).as("strings in strings, beyond the limit").isTrue();
  }

  @Test
  void withoutTextOnlyUnscannableContentIsLookedFor() {
    JsonNode request = JSON.createObjectNode().put("content", "jane@example.com");
    RequestContent c = RequestContentReader.read(request, false);

    assertThat(c.text()).isEmpty();
    assertThat(c.unscannable()).isFalse();
  }
}
