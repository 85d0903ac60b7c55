package io.aihandler.router.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseEventSinkTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Chat chunks as OpenAI streams a reply that says a word, then calls a tool. */
  private static final List<String> TEXT_THEN_CALL =
      List.of(
          "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
          "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Checking.\"},\"finish_reason\":null}]}",
          "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_Qw1\",\"type\":\"function\","
              + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
          "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\"\"}}]},"
              + "\"finish_reason\":null}]}",
          "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":\\\"Paris\\\"}\"}}]},"
              + "\"finish_reason\":null}]}",
          "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
          "{\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":12,\"total_tokens\":42}}");

  private record Event(String type, JsonNode data) {}

  private static final class Recording implements ResponseEventWriter {
    final List<Event> events = new ArrayList<>();
    boolean begun;
    boolean ended;

    @Override
    public void begin() {
      begun = true;
    }

    @Override
    public void event(String type, ObjectNode data) {
      events.add(new Event(type, data.deepCopy()));
    }

    @Override
    public void end() {
      ended = true;
    }

    List<String> types() {
      return events.stream().map(Event::type).toList();
    }
  }

  private static ResponseObject response() throws Exception {
    ObjectNode body = (ObjectNode) MAPPER.readTree("{\"model\":\"chat\",\"input\":\"x\"}");
    return new ResponseObject(
        "resp_1",
        1_700_000_000L,
        "chat",
        ResponsesRequestTranslator.settings(body),
        MAPPER.createObjectNode());
  }

  private static void feed(ResponseEventSink sink, List<String> chunks) throws Exception {
    sink.begin();
    for (String c : chunks) {
      sink.chunk((ObjectNode) MAPPER.readTree(c));
    }
  }

  @Test
  void textThenAFunctionCallStreamAsTwoItemsInOrder() throws Exception {
    Recording out = new Recording();
    List<ObjectNode> kept = new ArrayList<>();
    ResponseEventSink sink = new ResponseEventSink(out, response(), turn -> kept.add(turn));

    feed(sink, TEXT_THEN_CALL);
    sink.done();

    assertThat(out.types())
        .containsExactly(
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.completed");
    for (int i = 0; i < out.events.size(); i++) {
      assertThat(out.events.get(i).data().path("sequence_number").asInt()).isEqualTo(i);
    }
    JsonNode argsDone = out.events.get(11).data();
    assertThat(argsDone.path("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(argsDone.path("name").asText()).isEqualTo("get_weather");
    assertThat(argsDone.path("output_index").asInt()).isEqualTo(1);
    JsonNode done = out.events.getLast().data().path("response");
    assertThat(done.at("/output/0/type").asText()).isEqualTo("message");
    assertThat(done.at("/output/1/type").asText()).isEqualTo("function_call");
    assertThat(done.at("/output/1/call_id").asText()).isEqualTo("call_Qw1");
    assertThat(done.at("/output/1/status").asText()).isEqualTo("completed");
    assertThat(done.at("/usage/total_tokens").asInt()).isEqualTo(42);
    assertThat(done.path("store").asBoolean()).isTrue();
    assertThat(kept)
        .singleElement()
        .satisfies(
            turn -> {
              assertThat(turn.path("content").asText()).isEqualTo("Checking.");
              assertThat(turn.at("/tool_calls/0/function/arguments").asText())
                  .isEqualTo("{\"city\":\"Paris\"}");
            });
    assertThat(out.begun && out.ended).isTrue();
  }

  @Test
  void aTokenLimitEndsInResponseIncomplete() throws Exception {
    Recording out = new Recording();
    ResponseEventSink sink = new ResponseEventSink(out, response(), turn -> false);

    feed(
        sink,
        List.of(
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once upon\"},\"finish_reason\":null}]}",
            "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}"));
    sink.done();

    Event last = out.events.getLast();
    assertThat(last.type()).isEqualTo("response.incomplete");
    assertThat(last.data().at("/response/incomplete_details/reason").asText())
        .isEqualTo("max_output_tokens");
    assertThat(last.data().at("/response/output/0/status").asText()).isEqualTo("incomplete");
    assertThat(last.data().at("/response/store").asBoolean(true)).isFalse();
  }

  @Test
  void aBreakAfterTheStartSendsErrorThenResponseFailedAndKeepsNothing() throws Exception {
    Recording out = new Recording();
    List<ObjectNode> kept = new ArrayList<>();
    ResponseEventSink sink = new ResponseEventSink(out, response(), turn -> kept.add(turn));

    feed(sink, TEXT_THEN_CALL.subList(0, 4));
    sink.error(
        new ApiException(502, "server_error", "stream_error", "backend gpt: the stream broke"));

    assertThat(out.types().subList(out.types().size() - 2, out.types().size()))
        .containsExactly("error", "response.failed");
    JsonNode error = out.events.get(out.events.size() - 2).data();
    assertThat(error.path("code").asText()).isEqualTo("stream_error");
    assertThat(error.path("message").asText()).contains("the stream broke");
    JsonNode failed = out.events.getLast().data().path("response");
    assertThat(failed.path("status").asText()).isEqualTo("failed");
    assertThat(failed.at("/error/code").asText()).isEqualTo("server_error");
    assertThat(failed.at("/output/1/status").asText()).isEqualTo("incomplete");
    assertThat(kept).isEmpty();
    assertThat(out.ended).isTrue();
  }

  @Test
  void anEmptyAnswerIsStillOneMessageWithEmptyText() throws Exception {
    Recording out = new Recording();
    ResponseEventSink sink = new ResponseEventSink(out, response(), turn -> true);

    feed(sink, List.of("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"));
    sink.done();

    assertThat(out.types())
        .containsExactly(
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed");
    assertThat(out.events.getLast().data().at("/response/output/0/content/0/text").asText())
        .isEmpty();
  }
}
