package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UpstreamUrisTest {

  @Test
  void aUriIsParsedOnceAndTheCacheStaysBounded() {
    String chat = "http://llama.models.svc:8000/v1/chat/completions";
    assertThat(UpstreamUris.of(chat)).isSameAs(UpstreamUris.of(chat));
    assertThat(UpstreamUris.of(chat).getPath()).isEqualTo("/v1/chat/completions");

    for (int i = 0; i < UpstreamUris.MAX * 2; i++) {
      String uri = "http://host-" + i + ".example:8000/v1/chat/completions";
      assertThat(UpstreamUris.of(uri).getHost()).isEqualTo("host-" + i + ".example");
    }
    assertThat(UpstreamUris.size()).isLessThanOrEqualTo(UpstreamUris.MAX);
  }

  @Test
  void aUriThatDoesNotParseFailsAsBefore() {
    assertThatThrownBy(() -> UpstreamUris.of("http://bad host/v1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
