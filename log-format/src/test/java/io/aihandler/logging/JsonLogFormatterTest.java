package io.aihandler.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {

  private final ObjectMapper mapper = new ObjectMapper();
  private final JsonLogFormatter formatter = new JsonLogFormatter();

  private JsonNode line(LogRecord record) throws Exception {
    String out = formatter.format(record);
    assertThat(out).endsWith("\n");
    assertThat(out.substring(0, out.length() - 1)).doesNotContain("\n", "\r");
    return mapper.readTree(out);
  }

  private static LogRecord record(Level level, String msg, Object... params) {
    LogRecord r = new LogRecord(level, msg);
    r.setLoggerName("io.aihandler.test");
    r.setInstant(Instant.parse("2026-01-02T03:04:05.678901Z"));
    r.setParameters(params.length == 0 ? null : params);
    return r;
  }

  @Test
  void writesTheCommonFieldsWithTheMessageFormatted() throws Exception {
    JsonNode j = line(record(Level.WARNING, "backend {0} is {1}", "gpt", "slow"));
    assertThat(j.path("ts").asText()).isEqualTo("2026-01-02T03:04:05.678Z");
    assertThat(j.path("level").asText()).isEqualTo("warn");
    assertThat(j.path("logger").asText()).isEqualTo("io.aihandler.test");
    assertThat(j.path("msg").asText()).isEqualTo("backend gpt is slow");
    assertThat(j.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(j.has("request_id")).isFalse();
    assertThat(j.has("error")).isFalse();
  }

  @Test
  void foldsLevelsOntoFiveNames() {
    assertThat(JsonLogFormatter.level(Level.SEVERE)).isEqualTo("error");
    assertThat(JsonLogFormatter.level(Level.WARNING)).isEqualTo("warn");
    assertThat(JsonLogFormatter.level(Level.INFO)).isEqualTo("info");
    assertThat(JsonLogFormatter.level(Level.CONFIG)).isEqualTo("debug");
    assertThat(JsonLogFormatter.level(Level.FINE)).isEqualTo("debug");
    assertThat(JsonLogFormatter.level(Level.FINEST)).isEqualTo("trace");
  }

  @Test
  void carriesTheIdsOfTheRequestTheThreadServes() throws Exception {
    try (LogContext.Scope s =
        LogContext.open(new LogContext.Ids("req-1", "0af7651916cd43dd8448eb211c80319c", null))) {
      JsonNode j = line(record(Level.INFO, "hello"));
      assertThat(j.path("request_id").asText()).isEqualTo("req-1");
      assertThat(j.path("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(j.has("span_id")).isFalse();
    }
    assertThat(line(record(Level.INFO, "after")).has("request_id")).isFalse();
  }

  @Test
  void writesAnEventsFieldsWithTheirTypesAndDropsReservedKeys() throws Exception {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("status", 200);
    fields.put("tokens_in", 12L);
    fields.put("cost_usd", 0.25);
    fields.put("streamed", true);
    fields.put("model", "a\"b\nc");
    fields.put("level", "forged");
    fields.put("none", null);
    LogEvent event =
        new LogEvent() {
          @Override
          public String message() {
            return "request";
          }

          @Override
          public Map<String, Object> fields() {
            return fields;
          }
        };
    JsonNode j = line(record(Level.INFO, "{0}", event));
    assertThat(j.path("msg").asText()).isEqualTo("request");
    assertThat(j.path("status").isInt()).isTrue();
    assertThat(j.path("status").asInt()).isEqualTo(200);
    assertThat(j.path("tokens_in").asLong()).isEqualTo(12);
    assertThat(j.path("cost_usd").asDouble()).isEqualTo(0.25);
    assertThat(j.path("streamed").asBoolean()).isTrue();
    assertThat(j.path("model").asText()).isEqualTo("a\"b\nc");
    assertThat(j.path("level").asText()).isEqualTo("info");
    assertThat(j.path("none").isNull()).isTrue();
  }

  @Test
  void anExceptionIsOneEscapedErrorField() throws Exception {
    LogRecord r = record(Level.SEVERE, "request failed");
    r.setThrown(new IllegalStateException("boom\nsecond line"));
    JsonNode j = line(r);
    assertThat(j.path("level").asText()).isEqualTo("error");
    assertThat(j.path("error").asText())
        .startsWith("java.lang.IllegalStateException: boom\nsecond line")
        .contains("at io.aihandler.logging.JsonLogFormatterTest");
  }

  @Test
  void aHugeMessageIsCut() throws Exception {
    JsonNode j = line(record(Level.INFO, "x".repeat(100_000)));
    assertThat(j.path("msg").asText()).hasSize(JsonLogFormatter.MAX_MESSAGE + 3).endsWith("...");
  }

  @Test
  void aMessageWhosePatternDoesNotFitItsParametersIsWrittenRaw() throws Exception {
    JsonNode j = line(record(Level.INFO, "broken {0", "x"));
    assertThat(j.path("msg").asText()).startsWith("broken");
  }

  @Test
  void parsesTheFormatNames() {
    assertThat(LogFormat.parse(null)).isEqualTo(LogFormat.TEXT);
    assertThat(LogFormat.parse("JSON")).isEqualTo(LogFormat.JSON);
    assertThat(LogFormat.parse(" text ")).isEqualTo(LogFormat.TEXT);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogFormat.parse("xml"))
        .hasMessageContaining("text or json");
  }
}
