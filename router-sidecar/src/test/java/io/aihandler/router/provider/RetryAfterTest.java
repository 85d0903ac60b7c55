package io.aihandler.router.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  private final RetryAfter retryAfter =
      new RetryAfter(Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC));

  @Test
  void secondsWholeAndFractional() {
    assertThat(retryAfter.of(Map.of("retry-after", "7"))).isEqualTo(Duration.ofSeconds(7));
    assertThat(retryAfter.of(Map.of("retry-after", " 1.5 "))).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void anHttpDateIsTheTimeUntilIt() {
    assertThat(retryAfter.of(Map.of("retry-after", "Sun, 01 Jun 2025 12:00:30 GMT")))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aDateInThePastMeansNoWait() {
    assertThat(retryAfter.of(Map.of("retry-after", "Sun, 01 Jun 2025 11:00:00 GMT")))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void openAisMillisecondsWinOverRetryAfter() {
    assertThat(retryAfter.of(Map.of("retry-after-ms", "250", "retry-after", "3")))
        .isEqualTo(Duration.ofMillis(250));
    assertThat(retryAfter.of(Map.of("retry-after-ms", "soon", "retry-after", "3")))
        .isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void whatCannotBeReadAsksForNoWait() {
    assertThat(retryAfter.of(Map.of("retry-after", "oops"))).isNull();
    assertThat(retryAfter.of(Map.of("retry-after", "-5"))).isNull();
    assertThat(retryAfter.of(Map.of("retry-after", "NaN"))).isNull();
    assertThat(retryAfter.of(Map.of())).isNull();
    assertThat(retryAfter.of(null)).isNull();
  }

  @Test
  void everyProviderReadsHttpDates() {
    Map<String, String> headers = Map.of("retry-after", "Wed, 21 Oct 2099 07:28:00 GMT");
    for (ProviderTranslator t :
        new ProviderTranslator[] {
          new io.aihandler.router.provider.openai.OpenAiTranslator(),
          new io.aihandler.router.provider.anthropic.AnthropicTranslator(),
          new io.aihandler.router.provider.gemini.GeminiTranslator()
        }) {
      assertThat(t.toError(429, "{}", headers).retryAfter())
          .as(t.getClass().getSimpleName())
          .isGreaterThan(Duration.ofDays(365));
    }
  }
}
