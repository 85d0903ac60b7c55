package io.aihandler.controllers.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.api.v1alpha1.Prompt;
import io.aihandler.api.v1alpha1.PromptHistory;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.TaskOutput;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What counts as a prompt change, how it is recorded, and how a schema's structure is measured. */
class PromptRecordTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Task task(String system, String schema, String route) throws Exception {
    return new Task(
        "classify",
        route,
        "internal",
        new Prompt(system, "{{ticket}}"),
        null,
        new TaskOutput(JSON.readTree(schema), 1),
        null,
        null,
        null);
  }

  @Test
  void theFingerprintFollowsPromptAndSchemaButNotRoutingOrKeyOrder() throws Exception {
    String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
    String reordered = "{\"properties\":{\"a\":{\"type\":\"string\"}},\"type\":\"object\"}";
    String fingerprint = PromptFingerprint.of(task("Classify.", schema, "classification"));

    assertThat(fingerprint).hasSize(16).matches("[0-9a-f]+");
    assertThat(PromptFingerprint.of(task("Classify.", reordered, "bulk"))).isEqualTo(fingerprint);
    assertThat(PromptFingerprint.of(task("Classify it.", schema, "classification")))
        .isNotEqualTo(fingerprint);
    assertThat(
            PromptFingerprint.of(
                task(
                    "Classify.",
                    "{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"string\"}}}",
                    "classification")))
        .isNotEqualTo(fingerprint);
  }

  @Test
  void aNewHashCountsOneChangeTheSameHashNone() {
    Instant first = Instant.parse("2026-11-01T10:00:00.123Z");
    PromptHistory seen = PromptChangeRecord.update(null, "aaaa", first);
    assertThat(seen).isEqualTo(new PromptHistory("aaaa", 0, "2026-11-01T10:00:00Z", null));
    assertThat(PromptChangeRecord.update(seen, "aaaa", first.plusSeconds(600))).isSameAs(seen);

    PromptHistory changed =
        PromptChangeRecord.update(seen, "bbbb", Instant.parse("2026-11-03T08:00:00Z"));
    assertThat(changed)
        .isEqualTo(new PromptHistory("bbbb", 1, "2026-11-01T10:00:00Z", "2026-11-03T08:00:00Z"));
    assertThat(PromptChangeRecord.update(changed, "aaaa", Instant.parse("2026-11-04T08:00:00Z")))
        .extracting(PromptHistory::changes)
        .isEqualTo(2);
  }

  @Test
  void schemaComplexityCountsPropertiesItemsAndEnumValuesAndDepth() throws Exception {
    SchemaComplexity flat =
        SchemaComplexity.of(
            JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"enum\":[1,2,3]},\"b\":{}}}"));
    assertThat(flat).isEqualTo(new SchemaComplexity(5, 1));
    assertThat(flat.complex(12)).isFalse();

    SchemaComplexity nested =
        SchemaComplexity.of(
            JSON.readTree(
                """
                {"type": "object", "properties": {"people": {"type": "array", "items":
                  {"type": "object", "properties": {"name": {}, "email": {}}}}}}
                """));
    assertThat(nested).isEqualTo(new SchemaComplexity(4, 3));
    assertThat(nested.complex(12)).isTrue();
    assertThat(SchemaComplexity.of(null)).isEqualTo(new SchemaComplexity(0, 0));
  }
}
