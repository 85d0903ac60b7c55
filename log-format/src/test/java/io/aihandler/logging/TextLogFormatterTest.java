package io.aihandler.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class TextLogFormatterTest {

  private final TextLogFormatter formatter = new TextLogFormatter();

  private static LogRecord record(Level level, String msg, Object... params) {
    LogRecord r = new LogRecord(level, msg);
    r.setLoggerName("io.aihandler.test");
    r.setInstant(Instant.parse("2026-01-02T03:04:05.678901Z"));
    r.setParameters(params.length == 0 ? null : params);
    return r;
  }

  @Test
  void writesOneLineWithTimeThreadLevelLoggerAndTheFormattedMessage() {
    String line = formatter.format(record(Level.WARNING, "backend {0} is {1}", "gpt", "slow"));

    assertThat(line)
        .isEqualTo(
            "2026-01-02T03:04:05.678+0000 ["
                + Thread.currentThread().getName()
                + "] WARN io.aihandler.test - backend gpt is slow\n");
  }

  @Test
  void aMessageThatIsOnlyItsParameterIsThatParametersText() {
    Object event =
        new Object() {
          @Override
          public String toString() {
            return "POST /v1/chat/completions status=200 note={1}";
          }
        };

    String line = formatter.format(record(Level.INFO, "{0}", event));

    // The parameter's own braces are not read as a pattern.
    assertThat(line)
        .endsWith(" INFO io.aihandler.test - POST /v1/chat/completions status=200 note={1}\n");
  }

  @Test
  void neverAsksTheRecordForItsSourceWhichWouldWalkTheCallersStack() {
    LogRecord r =
        new LogRecord(Level.INFO, "hello") {
          @Override
          public String getSourceClassName() {
            throw new AssertionError("the source was asked for");
          }

          @Override
          public String getSourceMethodName() {
            throw new AssertionError("the source was asked for");
          }
        };
    r.setLoggerName("io.aihandler.test");

    assertThat(formatter.format(r)).endsWith(" - hello\n");
  }

  @Test
  void aPatternItsParametersDoNotFitIsWrittenRaw() {
    assertThat(formatter.format(record(Level.INFO, "broken {0", "x"))).endsWith(" - broken {0\n");
  }

  @Test
  void writesTheStackTraceAfterTheLine() {
    LogRecord r = record(Level.SEVERE, "failed");
    r.setThrown(new IllegalStateException("boom"));

    String out = formatter.format(r);

    assertThat(out)
        .contains(" ERROR io.aihandler.test - failed\njava.lang.IllegalStateException: boom\n");
    assertThat(out).contains("\tat io.aihandler.logging.TextLogFormatterTest");
  }
}
