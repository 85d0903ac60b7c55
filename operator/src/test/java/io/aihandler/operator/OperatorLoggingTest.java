package io.aihandler.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.logging.LogFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The operator's SLF4J logging as JSON lines (the sidecar's schema) or as text. */
class OperatorLoggingTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private Handler[] saved;

  @BeforeEach
  void save() {
    saved = Logger.getLogger("").getHandlers();
  }

  @AfterEach
  void restore() {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    for (Handler h : saved) {
      root.addHandler(h);
    }
    root.setLevel(java.util.logging.Level.INFO);
  }

  private List<JsonNode> jsonLines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        lines.add(MAPPER.readTree(line));
      }
    }
    return lines;
  }

  @Test
  void slf4jRecordsBecomeJsonLinesOfTheSharedSchema() throws Exception {
    OperatorLogging.configure("info", LogFormat.JSON, out);
    org.slf4j.Logger log = LoggerFactory.getLogger("io.aihandler.controllers.Example");

    log.info("reconciled {} in {}", "support-bot", "team-a");
    log.debug("not at info");
    log.warn("credential check failed", new IllegalStateException("unreachable\nhost"));

    List<JsonNode> lines = jsonLines();
    assertThat(lines).hasSize(2);
    JsonNode info = lines.get(0);
    assertThat(info.path("ts").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(info.path("level").asText()).isEqualTo("info");
    assertThat(info.path("logger").asText()).isEqualTo("io.aihandler.controllers.Example");
    assertThat(info.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(info.path("msg").asText()).isEqualTo("reconciled support-bot in team-a");
    assertThat(info.has("request_id")).isFalse();
    JsonNode warn = lines.get(1);
    assertThat(warn.path("level").asText()).isEqualTo("warn");
    assertThat(warn.path("error").asText())
        .startsWith("java.lang.IllegalStateException: unreachable\nhost")
        .contains("at io.aihandler.operator.OperatorLoggingTest");
  }

  @Test
  void debugIsWrittenWhenAskedFor() throws Exception {
    OperatorLogging.configure("debug", LogFormat.JSON, out);
    LoggerFactory.getLogger("io.aihandler.x").debug("details");
    assertThat(jsonLines())
        .singleElement()
        .satisfies(j -> assertThat(j.path("level").asText()).isEqualTo("debug"));
  }

  @Test
  void textStaysTheOneLineFormatForPeople() {
    OperatorLogging.configure("info", LogFormat.TEXT, out);
    LoggerFactory.getLogger("io.aihandler.operator.OperatorMain").info("Starting {}", "now");
    assertThat(out.toString(StandardCharsets.UTF_8))
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000 \\[[^]]+] INFO"
                + " io.aihandler.operator.OperatorMain - Starting now\n");
  }

  @Test
  void theFormatComesFromLogFormat() {
    assertThat(OperatorSettings.logFormat(Map.of())).isEqualTo(LogFormat.TEXT);
    assertThat(OperatorSettings.logFormat(Map.of("LOG_FORMAT", "json"))).isEqualTo(LogFormat.JSON);
    assertThatThrownBy(() -> OperatorSettings.logFormat(Map.of("LOG_FORMAT", "yaml")))
        .hasMessage("LOG_FORMAT must be text or json, not yaml");
  }
}
