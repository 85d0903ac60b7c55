package io.aihandler.router.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http10CompatibilityTest {

  private static String rewrite(String head) {
    return new String(
        Http10Compatibility.rewrite(head.getBytes(StandardCharsets.ISO_8859_1)),
        StandardCharsets.ISO_8859_1);
  }

  @Test
  void theRequestLineBecomesHttp11AndTheConnectionClosesAfterTheAnswer() {
    assertThat(rewrite("GET /healthz HTTP/1.0\r\n\r\n"))
        .isEqualTo(
            "GET /healthz HTTP/1.1\r\nConnection: close\r\nx-aihandler-http10: 1\r\nHost: localhost\r\n\r\n");
  }

  @Test
  void aHostTheClientSentIsKept() {
    assertThat(rewrite("GET / HTTP/1.0\r\nhost: example\r\n\r\n"))
        .isEqualTo(
            "GET / HTTP/1.1\r\nConnection: close\r\nx-aihandler-http10: 1\r\nhost: example\r\n\r\n");
  }

  @Test
  void otherVersionsAreLeftAlone() {
    assertThat(rewrite("GET / HTTP/1.1\r\n\r\n")).isEqualTo("GET / HTTP/1.1\r\n\r\n");
    assertThat(rewrite("GET / HTTP/1.0")).isEqualTo("GET / HTTP/1.0");
  }
}
