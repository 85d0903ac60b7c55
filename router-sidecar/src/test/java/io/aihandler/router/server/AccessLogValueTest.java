package io.aihandler.router.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogValueTest {

  @Test
  void plainValuesStayAsTheyAre() {
    assertThat(AccessLogValue.of("classify-ticket")).isEqualTo("classify-ticket");
    assertThat(AccessLogValue.of("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
    assertThat(AccessLogValue.of(null)).isEqualTo("-");
  }

  @Test
  void anythingThatCouldEndAFieldOrALineIsQuotedAndEscaped() {
    assertThat(AccessLogValue.of("a\r\nb")).isEqualTo("\"a\\r\\nb\"");
    assertThat(AccessLogValue.of("a b=c")).isEqualTo("\"a b=c\"");
    assertThat(AccessLogValue.of("q\"\\")).isEqualTo("\"q\\\"\\\\\"");
    assertThat(AccessLogValue.of("x\u2028y\u0000")).isEqualTo("\"x\\u2028y\\u0000\"");
  }

  @Test
  void longValuesAreCut() {
    assertThat(AccessLogValue.of("a".repeat(1000))).hasSize(200 + 5).endsWith("...\"");
  }
}
