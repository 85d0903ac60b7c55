package io.aihandler.router.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerComparisonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  private static final String SCHEMA =
      """
      {"type":"object","properties":{
        "category":{"enum":["billing","bug"]},
        "label":{"type":"string"},
        "urgent":{"type":"boolean"},
        "score":{"type":["number","null"]},
        "count":{"type":"integer"},
        "kind":{"const":"ticket"},
        "tags":{"type":"array","items":{"enum":["a","b"]}},
        "refund":{"type":"object","properties":{
          "wanted":{"type":"boolean"},
          "detail":{"type":"object","properties":{"amount":{"type":"number"}}}}}}}
      """;

  @Test
  void theComparableFieldsAreEnumsBooleansAndNumbersAtTheTopAndInNestedObjects() throws Exception {
    assertThat(AnswerComparison.fields(json(SCHEMA)))
        .containsExactly(
            List.of("category"),
            List.of("urgent"),
            List.of("score"),
            List.of("count"),
            List.of("kind"),
            List.of("refund", "wanted"),
            List.of("refund", "detail", "amount"));
  }

  @Test
  void equalAnswersAgreeExactlyAndOnEveryFieldNumbersByValue() throws Exception {
    JsonNode a =
        json(
            "{\"category\":\"bug\",\"label\":\"x\",\"urgent\":true,\"score\":1,\"count\":3,"
                + "\"kind\":\"ticket\",\"tags\":[\"a\"],"
                + "\"refund\":{\"wanted\":false,\"detail\":{\"amount\":12.5}}}");
    JsonNode b =
        json(
            "{\"refund\":{\"detail\":{\"amount\":12.50},\"wanted\":false},\"tags\":[\"a\"],"
                + "\"kind\":\"ticket\",\"count\":3,\"score\":1.0,\"urgent\":true,\"label\":\"x\","
                + "\"category\":\"bug\"}");

    assertThat(AnswerComparison.compare(json(SCHEMA), a, b))
        .isEqualTo(new AnswerComparison.Result(true, 7, 0));
  }

  @Test
  void differingFieldsAreCountedEachAndMissingOnesDisagree() throws Exception {
    JsonNode a =
        json(
            "{\"category\":\"bug\",\"label\":\"x\",\"urgent\":true,"
                + "\"refund\":{\"wanted\":false,\"detail\":{\"amount\":12.5}}}");
    // category differs, urgent is missing, the nested amount differs, the label (a free string) is
    // not a field of its own but breaks the exact match.
    JsonNode b =
        json(
            "{\"category\":\"billing\",\"label\":\"y\","
                + "\"refund\":{\"wanted\":false,\"detail\":{\"amount\":13}}}");

    assertThat(AnswerComparison.compare(json(SCHEMA), a, b))
        .isEqualTo(new AnswerComparison.Result(false, 1, 3));
  }

  @Test
  void arraysCountOnlyInTheExactMatch() throws Exception {
    JsonNode a = json("{\"category\":\"bug\",\"tags\":[\"a\",\"b\"]}");
    JsonNode b = json("{\"category\":\"bug\",\"tags\":[\"b\",\"a\"]}");

    assertThat(AnswerComparison.compare(json(SCHEMA), a, b))
        .isEqualTo(new AnswerComparison.Result(false, 1, 0));
  }

  @Test
  void nestingBeyondTheLimitIsNotFollowed() throws Exception {
    StringBuilder schema = new StringBuilder();
    int levels = AnswerComparison.MAX_DEPTH + 3;
    for (int i = 0; i < levels; i++) {
      schema.append("{\"type\":\"object\",\"properties\":{\"flag\":{\"type\":\"boolean\"},\"n\":");
    }
    schema.append("{\"type\":\"boolean\"}");
    schema.append("}}".repeat(levels));

    assertThat(AnswerComparison.fields(json(schema.toString())))
        .hasSize(AnswerComparison.MAX_DEPTH + 1);
  }

  @Test
  void aNonObjectAnswerIsComparedWholeAndHasNoFields() throws Exception {
    assertThat(AnswerComparison.compare(json(SCHEMA), json("[1]"), json("[1.0]")))
        .isEqualTo(new AnswerComparison.Result(true, 0, 0));
  }
}
