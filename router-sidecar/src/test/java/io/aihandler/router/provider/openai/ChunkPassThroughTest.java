package io.aihandler.router.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.PassedChunk;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.upstream.SseEventReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The byte pass-through of OpenAI chunks against the tree translation it stands in for: for every
 * chunk it takes, the same JSON (and, for compact input, the same bytes) with the same usage and
 * content facts; every chunk it does not take is left to the tree.
 */
class ChunkPassThroughTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String HEAD =
      "\"id\":\"chatcmpl-up\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
          + "\"model\":\"llama-3.3-70b\"";

  private static TranslationContext context(String model) {
    return new TranslationContext(
        "gpt-4o", model, "chatcmpl-sidecar", 1764660000L, null, "answer", "native", 4096, true);
  }

  /**
   * What the tree path sends for one event: the translator's chunks, usage as the router cuts it.
   */
  private static List<String> tree(String data, boolean keepUsage, String model) throws Exception {
    List<String> out = new ArrayList<>();
    for (ObjectNode chunk : new OpenAiTranslator().newStream(context(model)).onEvent(null, data)) {
      JsonNode usage = chunk.get("usage");
      if (usage != null && !keepUsage) {
        if (chunk.path("choices").isEmpty()) {
          continue;
        }
        chunk.remove("usage");
      }
      out.add(MAPPER.writeValueAsString(chunk));
    }
    return out;
  }

  private static PassedChunk pass(String data, boolean keepUsage) {
    return pass(data, keepUsage, "my-task");
  }

  private static PassedChunk pass(String data, boolean keepUsage, String model) {
    StreamTranslator st = new OpenAiTranslator().newStream(context(model));
    return st.pass(new SseEventReader.Event(null, data), keepUsage);
  }

  private static String text(PassedChunk chunk) {
    return chunk.json() == null ? null : new String(chunk.json(), StandardCharsets.UTF_8);
  }

  /** Asserts that the pass-through takes the chunk and sends what the tree path sends. */
  private static PassedChunk assertSameAsTree(String data, boolean keepUsage) throws Exception {
    return assertSameAsTree(data, keepUsage, "my-task");
  }

  private static PassedChunk assertSameAsTree(String data, boolean keepUsage, String model)
      throws Exception {
    PassedChunk passed = pass(data, keepUsage, model);
    assertThat(passed).as("passed through: " + data).isNotNull();
    List<String> tree = tree(data, keepUsage, model);
    if (tree.isEmpty()) {
      assertThat(text(passed)).as(data).isNull();
    } else {
      assertThat(tree).hasSize(1);
      assertThat(MAPPER.readTree(passed.json())).as(data).isEqualTo(MAPPER.readTree(tree.get(0)));
    }
    JsonNode usage = MAPPER.readTree(data).get("usage");
    assertThat(passed.usage()).isEqualTo(usage != null && usage.isObject() ? usage : null);
    return passed;
  }

  @Test
  void everyEventOfARealStreamIsTheTreesChunkByteForByte() throws Exception {
    List<String> data = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("../bench/upstream/chat-completion.sse"))) {
      if (line.startsWith("data: {")) {
        data.add(line.substring("data: ".length()));
      }
    }
    assertThat(data).hasSizeGreaterThan(10);
    int content = 0;
    for (String event : data) {
      for (boolean keepUsage : new boolean[] {true, false}) {
        PassedChunk passed = assertSameAsTree(event, keepUsage);
        List<String> tree = tree(event, keepUsage, "my-task");
        assertThat(text(passed)).isEqualTo(tree.isEmpty() ? null : tree.get(0));
        if (keepUsage && passed.carriesContent()) {
          content++;
        }
      }
    }
    // The role chunk (content ""), the finish chunk and the usage chunk carry none.
    assertThat(content).isEqualTo(data.size() - 3);
  }

  @Test
  void theUsageMemberIsCutWhereverItStands() throws Exception {
    String choices = "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]";
    for (String data :
        List.of(
            "{" + HEAD + ",\"usage\":null," + choices + "}",
            "{" + HEAD + "," + choices + ",\"usage\":null}",
            "{"
                + HEAD
                + ","
                + choices
                + ",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}",
            "{ " + HEAD.replace(",", " ,\t") + " , " + choices + " ,  \"usage\" : null }")) {
      PassedChunk cut = assertSameAsTree(data, false);
      assertThat(text(cut)).doesNotContain("usage").contains("\"content\":\"hi\"");
      assertThat(cut.carriesContent()).isTrue();
      PassedChunk kept = assertSameAsTree(data, true);
      assertThat(text(kept)).contains("usage");
    }
    // First, it is left to the tree to cut; kept, it passes.
    String first = "{\"usage\":null," + HEAD + "," + choices + "}";
    assertThat(pass(first, false)).isNull();
    assertThat(text(assertSameAsTree(first, true))).startsWith("{\"usage\":null,");
    // Under an escaped name, the same.
    String escaped = "{" + HEAD + ",\"\\u0075sage\":null," + choices + "}";
    assertThat(pass(escaped, false)).isNull();
  }

  @Test
  void aUsageChunkIsMeteredAndSentOnlyWhenAskedFor() throws Exception {
    String data =
        "{" + HEAD + ",\"choices\":[],\"usage\":{\"prompt_tokens\":98,\"completion_tokens\":19}}";
    PassedChunk unwanted = assertSameAsTree(data, false);
    assertThat(unwanted.json()).isNull();
    assertThat(unwanted.usage().path("prompt_tokens").asLong()).isEqualTo(98);
    PassedChunk wanted = assertSameAsTree(data, true);
    assertThat(text(wanted)).contains("\"completion_tokens\":19");
    assertThat(wanted.carriesContent()).isFalse();
  }

  @Test
  void theSidecarsFieldsAreSplicedInEscaped() throws Exception {
    String data = "{" + HEAD + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}";
    PassedChunk passed = assertSameAsTree(data, true, "tâche \"quoted\" \\ \u2028");
    JsonNode chunk = MAPPER.readTree(passed.json());
    assertThat(chunk.path("id").asText()).isEqualTo("chatcmpl-sidecar");
    assertThat(chunk.path("model").asText()).isEqualTo("tâche \"quoted\" \\ \u2028");
    assertThat(chunk.path("created").asLong()).isEqualTo(1764660000L);
    assertThat(text(passed)).doesNotContain("chatcmpl-up").doesNotContain("llama-3.3-70b");

    // Upstream values that hold what ends a value elsewhere: quotes, backslashes, commas, braces.
    String awkward =
        "{\"id\":\"a\\\\\\\"b,}\\\\\",\"object\":\"x\",\"created\":-1.5e3,"
            + "\"model\":\"m\\u0022\",\"choices\":[{\"index\":0}],\"usage\":null}";
    assertThat(MAPPER.readTree(awkward).path("id").asText()).isEqualTo("a\\\"b,}\\");
    assertThat(text(assertSameAsTree(awkward, false, "my-task")))
        .isEqualTo(
            "{\"id\":\"chatcmpl-sidecar\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1764660000,\"model\":\"my-task\",\"choices\":[{\"index\":0}]}");
  }

  @Test
  void contentIsReadAsTheTreeReadsIt() throws Exception {
    String[][] deltas = {
      {"{\"role\":\"assistant\",\"content\":\"\"}", "false"},
      {"{\"content\":null,\"refusal\":null}", "false"},
      {"{\"refusal\":\"I can't\"}", "true"},
      {"{\"content\":\"caf\\u00e9 \\\"q\\\" 日本\"}", "true"},
      {"{\"tool_calls\":[]}", "false"},
      {
        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":[1,{}]}\"}}]}",
        "true"
      },
      {"{\"tool_calls\":[{\"index\":0},{\"index\":1,\"id\":\"c\"}],\"content\":\"\"}", "true"},
      {"{\"content\":[\"not\",\"text\"]}", "false"},
    };
    for (String[] delta : deltas) {
      String data =
          "{"
              + HEAD
              + ",\"choices\":[{\"index\":0,\"delta\":"
              + delta[0]
              + ",\"logprobs\":{\"content\":[{\"token\":\"x\",\"logprob\":-1.25e-4}]},"
              + "\"finish_reason\":null}]}";
      PassedChunk passed = assertSameAsTree(data, true);
      assertThat(passed.carriesContent()).as(delta[0]).isEqualTo(Boolean.parseBoolean(delta[1]));
      // Numbers stay as the upstream wrote them: nothing is parsed and written again.
      assertThat(text(passed)).contains("-1.25e-4");
    }
  }

  @Test
  void aFinishReasonCountsTowardsAStreamThatEndsWithoutDone() {
    StreamTranslator st = new OpenAiTranslator().newStream(context("my-task"));
    st.pass(
        new SseEventReader.Event(
            null,
            "{" + HEAD + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"),
        true);
    assertThatThrownBy(st::onEnd).hasMessageContaining("ended without [DONE]");

    StreamTranslator cut = new OpenAiTranslator().newStream(context("my-task"));
    cut.pass(
        new SseEventReader.Event(
            null, "{" + HEAD + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}"),
        true);
    assertThatThrownBy(cut::onEnd).hasMessageContaining("before the answer was complete");

    StreamTranslator done = new OpenAiTranslator().newStream(context("my-task"));
    assertThat(done.pass(new SseEventReader.Event(null, "[DONE]"), true))
        .isSameAs(PassedChunk.NOTHING);
    assertThat(done.completed()).isTrue();
    assertThat(done.onEnd()).isEmpty();
  }

  @Test
  void shapesTheSpliceDoesNotTakeAreLeftToTheTree() {
    String choices = ",\"choices\":[]";
    for (String data :
        List.of(
            // a field the sidecar owns missing (the tree adds it) or given twice
            "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"model\":\"m\"" + choices + "}",
            "{" + HEAD + ",\"id\":\"again\"" + choices + "}",
            "{\"id\":{\"nested\":1},\"object\":\"o\",\"created\":1,\"model\":\"m\"" + choices + "}",
            // no choices array, or two
            "{" + HEAD + "}",
            "{" + HEAD + ",\"choices\":{}}",
            "{" + HEAD + choices + choices + "}",
            "{" + HEAD + choices + ",\"usage\":null,\"usage\":{\"prompt_tokens\":1}}",
            // an in-band error, a non-object, trailing content
            "{" + HEAD + choices + ",\"error\":{\"message\":\"boom\"}}",
            "[1,2]",
            "{" + HEAD + choices + "} {}",
            "[DONE] ")) {
      assertThat(pass(data, true)).as(data).isNull();
    }
    assertThat(
            new OpenAiTranslator()
                .newStream(context("m"))
                .pass(new SseEventReader.Event(null, "{" + HEAD + "\n" + choices + "}"), true))
        .as("data on two lines would break the event it is sent in")
        .isNull();
  }

  @Test
  void malformedJsonIsNeverSentOn() throws IOException {
    for (String data :
        List.of(
            "{" + HEAD + ",\"choices\":[}",
            "{" + HEAD + ",\"choices\":[],\"x\":\"unterminated}",
            "{" + HEAD + ",\"choices\":[],\"x\":\"raw \u0001 control\"}",
            "{" + HEAD + ",\"choices\":[]")) {
      assertThatThrownBy(() -> pass(data, true))
          .as(data)
          .isInstanceOf(UpstreamStreamException.class)
          .hasMessageContaining("not JSON");
    }
    // Malformed UTF-8 in a string the splice does not otherwise read.
    byte[] head = ("{" + HEAD + ",\"choices\":[],\"x\":\"").getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[head.length + 4];
    System.arraycopy(head, 0, bad, 0, head.length);
    bad[head.length] = (byte) 0xC3; // a lead byte followed by no continuation byte
    bad[head.length + 1] = 'x';
    bad[head.length + 2] = '"';
    bad[head.length + 3] = '}';
    SseEventReader reader =
        new SseEventReader(
            new java.io.ByteArrayInputStream(concat("data: ", bad, "\n\n")), 1 << 16);
    SseEventReader.Event event = reader.next();
    assertThatThrownBy(() -> new OpenAiTranslator().newStream(context("m")).pass(event, true))
        .isInstanceOf(UpstreamStreamException.class);
  }

  private static byte[] concat(String before, byte[] middle, String after) {
    byte[] a = before.getBytes(StandardCharsets.US_ASCII);
    byte[] c = after.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[a.length + middle.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(middle, 0, out, a.length, middle.length);
    System.arraycopy(c, 0, out, a.length + middle.length, c.length);
    return out;
  }
}
