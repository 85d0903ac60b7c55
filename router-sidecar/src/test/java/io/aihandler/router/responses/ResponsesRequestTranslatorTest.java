package io.aihandler.router.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesRequestTranslatorTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ObjectNode chat(String body) {
    return chat(body, List.of());
  }

  private static ObjectNode chat(String body, List<ObjectNode> previous) {
    ObjectNode b = json(body);
    return ResponsesRequestTranslator.chatRequest(
            b, ResponsesRequestTranslator.settings(b), previous, 100)
        .chat();
  }

  private static ApiException refused(String body) {
    try {
      chat(body);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("not refused: " + body);
  }

  @Test
  void aStringInputIsOneUserMessageAfterTheInstructions() {
    ObjectNode chat = chat("{\"model\":\"m\",\"instructions\":\"Be brief.\",\"input\":\"Hi\"}");

    assertThat(chat.toString())
        .isEqualTo(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"}]}");
  }

  @Test
  void theInstructionsComeFirstThenThePreviousConversationThenTheInput() {
    ObjectNode chat =
        chat(
            "{\"model\":\"m\",\"instructions\":\"Now in French.\",\"input\":\"And Spain?\"}",
            List.of(
                json("{\"role\":\"user\",\"content\":\"Capital of France?\"}"),
                json("{\"role\":\"assistant\",\"content\":\"Paris.\"}")));

    assertThat(chat.path("messages"))
        .extracting(m -> m.path("content").asText())
        .containsExactly("Now in French.", "Capital of France?", "Paris.", "And Spain?");
  }

  @Test
  void messageItemsMapTheirPartsToChatParts() {
    ObjectNode chat =
        chat(
            """
            {"model":"m","input":[
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"Rules."}]},
              {"role":"user","content":[{"type":"input_text","text":"What is this?"},
                {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}]},
              {"type":"message","role":"assistant","status":"completed","id":"msg_1",
               "content":[{"type":"output_text","text":"A ","annotations":[]},{"type":"output_text","text":"cat."}]},
              {"role":"user","content":"Sure?"}]}
            """);

    JsonNode m = chat.path("messages");
    assertThat(m.get(0).toString()).isEqualTo("{\"role\":\"developer\",\"content\":\"Rules.\"}");
    assertThat(m.get(1).toString())
        .isEqualTo(
            "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\","
                + "\"detail\":\"low\"}}]}");
    assertThat(m.get(2).toString()).isEqualTo("{\"role\":\"assistant\",\"content\":\"A cat.\"}");
    assertThat(m.get(3).toString()).isEqualTo("{\"role\":\"user\",\"content\":\"Sure?\"}");
  }

  @Test
  void functionCallsJoinOneAssistantTurnAndTheirOutputsAreToolMessages() {
    ObjectNode chat =
        chat(
            """
            {"model":"m","input":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"type":"function_call","call_id":"c1","name":"w","arguments":"{\\"city\\":\\"Paris\\"}"},
              {"type":"function_call","call_id":"c2","name":"w","arguments":"{\\"city\\":\\"Rome\\"}"},
              {"type":"function_call_output","call_id":"c1","output":"21"},
              {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"2"},{"type":"input_text","text":"5"}]}]}
            """);

    JsonNode m = chat.path("messages");
    assertThat(m.size()).isEqualTo(4);
    assertThat(m.get(1).path("content").isNull()).isTrue();
    assertThat(m.get(1).path("tool_calls"))
        .extracting(c -> c.path("id").asText())
        .containsExactly("c1", "c2");
    assertThat(m.get(1).at("/tool_calls/1/function/arguments").asText())
        .isEqualTo("{\"city\":\"Rome\"}");
    assertThat(m.get(2).toString())
        .isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"21\"}");
    assertThat(m.get(3).path("content").asText()).isEqualTo("25");
  }

  @Test
  void toolsToolChoiceFormatAndSamplingMapToTheChatFields() {
    ObjectNode chat =
        chat(
            """
            {"model":"m","input":"x","tools":[{"type":"function","name":"w","description":"Weather",
              "parameters":{"type":"object"},"strict":true}],
             "tool_choice":{"type":"function","name":"w"},"parallel_tool_calls":false,
             "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true}},
             "max_output_tokens":64,"temperature":0.5,"top_p":0.9,"user":"u1",
             "reasoning":{"effort":"low"},"metadata":{"k":"v"},"store":true,"stream":true,
             "stream_options":{"include_obfuscation":false},"background":false,"truncation":"disabled",
             "include":[],"service_tier":"auto"}
            """);

    assertThat(chat.path("tools").toString())
        .isEqualTo(
            "[{\"type\":\"function\",\"function\":{\"name\":\"w\",\"description\":\"Weather\","
                + "\"parameters\":{\"type\":\"object\"},\"strict\":true}}]");
    assertThat(chat.path("tool_choice").toString())
        .isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"w\"}}");
    assertThat(chat.path("parallel_tool_calls").asBoolean(true)).isFalse();
    assertThat(chat.path("response_format").toString())
        .isEqualTo(
            "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"out\",\"schema\":{\"type\":\"object\"},"
                + "\"strict\":true}}");
    assertThat(chat.path("max_completion_tokens").asInt()).isEqualTo(64);
    assertThat(chat.path("temperature").asDouble()).isEqualTo(0.5);
    assertThat(chat.path("top_p").asDouble()).isEqualTo(0.9);
    assertThat(chat.path("user").asText()).isEqualTo("u1");
    assertThat(chat.path("reasoning_effort").asText()).isEqualTo("low");
    assertThat(chat.path("stream").asBoolean()).isTrue();
    for (String responsesOnly :
        List.of(
            "metadata",
            "store",
            "stream_options",
            "background",
            "truncation",
            "include",
            "service_tier",
            "text",
            "input")) {
      assertThat(chat.has(responsesOnly)).as(responsesOnly).isFalse();
    }
    assertThat(
            chat("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_object\"}}}")
                .path("response_format")
                .toString())
        .isEqualTo("{\"type\":\"json_object\"}");
    assertThat(
            chat("{\"model\":\"m\",\"input\":\"x\",\"tool_choice\":\"required\"}")
                .path("tool_choice")
                .asText())
        .isEqualTo("required");
  }

  @Test
  void whatCannotBeHonouredIsRefusedNamingTheField() {
    assertThat(refused("{\"input\":\"x\",\"tools\":[{\"type\":\"file_search\"}]}").param())
        .isEqualTo("tools[0].type");
    assertThat(
            refused("{\"input\":\"x\",\"tool_choice\":{\"type\":\"web_search_preview\"}}").param())
        .isEqualTo("tool_choice");
    assertThat(
            refused(
                    "{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"f\"}]}]}")
                .param())
        .isEqualTo("input[0].content[0].file_id");
    assertThat(
            refused("{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}")
                .param())
        .isEqualTo("input[0].content[0].type");
    assertThat(refused("{\"input\":[{\"type\":\"reasoning\",\"summary\":[]}]}").param())
        .isEqualTo("input[0].type");
    assertThat(refused("{\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}").param())
        .isEqualTo("input[0].role");
    assertThat(
            refused(
                    "{\"input\":\"x\",\"stream\":true,\"stream_options\":{\"include_obfuscation\":true}}")
                .param())
        .isEqualTo("stream_options.include_obfuscation");
    assertThat(refused("{\"input\":\"x\",\"text\":{\"verbosity\":\"low\"}}").param())
        .isEqualTo("text.verbosity");
    assertThat(refused("{\"input\":\"x\",\"max_tool_calls\":3}").param())
        .isEqualTo("max_tool_calls");
    assertThat(refused("{\"input\":\"x\",\"top_logprobs\":2}").param()).isEqualTo("top_logprobs");
    assertThat(refused("{\"input\":\"x\",\"service_tier\":\"priority\"}").param())
        .isEqualTo("service_tier");
    assertThat(refused("{\"input\":\"x\",\"max_output_tokens\":0}").param())
        .isEqualTo("max_output_tokens");
    assertThat(refused("{\"input\":\"x\",\"temperature\":3}").param()).isEqualTo("temperature");
    assertThat(refused("{\"input\":\"x\",\"metadata\":{\"k\":1}}").param()).isEqualTo("metadata");
    assertThat(refused("{\"input\":\"x\",\"unknown\":1}").code()).isEqualTo("unknown_parameter");
    assertThat(refused("{\"input\":\"x\",\"conversation\":\"c\"}").code())
        .isEqualTo("unsupported_parameter");
    // Null is how SDKs leave a field unset.
    assertThat(
            chat("{\"model\":\"m\",\"input\":\"x\",\"conversation\":null,\"prompt\":null}")
                .has("conversation"))
        .isFalse();
  }

  @Test
  void theConversationIsBoundedInMessages() {
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      items
          .append(i == 0 ? "" : ",")
          .append("{\"role\":\"user\",\"content\":\"m")
          .append(i)
          .append("\"}");
    }
    ApiException e = refused("{\"model\":\"m\",\"input\":[" + items + "]}");
    assertThat(e.code()).isEqualTo("too_many_items");
    assertThat(e.param()).isEqualTo("input");
    assertThatThrownBy(
            () ->
                chat(
                    "{\"model\":\"m\",\"input\":\"x\"}",
                    java.util.Collections.nCopies(
                        100, json("{\"role\":\"user\",\"content\":\"y\"}"))))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("101 messages");
    assertThatThrownBy(
            () ->
                chat(
                    "{\"model\":\"m\"}",
                    java.util.Collections.nCopies(
                        101, json("{\"role\":\"user\",\"content\":\"y\"}"))))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("101 messages");
  }
}
