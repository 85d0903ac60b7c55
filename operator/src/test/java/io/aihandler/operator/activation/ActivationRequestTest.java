package io.aihandler.operator.activation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The activation body parser and the rate limiter, each on what an attacker might send. */
class ActivationRequestTest {

  private static java.util.Optional<ActivationRequest> of(String body) {
    return ActivationRequest.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsExactlyOneFieldNamingANamespaceAndAName() {
    assertThat(of("{\"modelBackend\": \"llm-platform/llama-3.1-8b\"}"))
        .contains(new ActivationRequest("llm-platform", "llama-3.1-8b"));
  }

  @Test
  void refusesAnythingElse() {
    for (String body :
        new String[] {
          "",
          "null",
          "[]",
          "\"llm-platform/llama\"",
          "{}",
          "{\"modelBackend\": 7}",
          "{\"modelBackend\": \"llama\"}",
          "{\"modelBackend\": \"a/b/c\"}",
          "{\"modelBackend\": \"../etc\"}",
          "{\"modelBackend\": \"Upper/case\"}",
          "{\"modelBackend\": \"ns/\"}",
          "{\"modelBackend\": \"/name\"}",
          "{\"modelBackend\": \"ns/name\", \"modelBackend\": \"ns/other\"}",
          "{\"modelBackend\": \"ns/name\", \"replicas\": 5}",
          "{\"modelBackend\": {\"a\": {\"b\": {\"c\": {\"d\": 1}}}}}",
          "{\"modelBackend\": \"ns/name\"",
          "{\"modelBackend\": \"" + "a".repeat(64) + "/name\"}",
        }) {
      assertThat(of(body)).as(body).isEmpty();
    }
    assertThat(ActivationRequest.parse(new byte[ActivationRequest.MAX_BODY_BYTES + 1])).isEmpty();
  }

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-03-01T09:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void theRateLimiterAllowsABurstThenOnePerRefillAndSaysHowLongToWait() {
    TestClock clock = new TestClock();
    RateLimiter limiter = new RateLimiter(clock, 3, Duration.ofSeconds(2), 100);

    assertThat(limiter.acquire("a")).isEmpty();
    assertThat(limiter.acquire("a")).isEmpty();
    assertThat(limiter.acquire("a")).isEmpty();
    assertThat(limiter.acquire("a")).contains(Duration.ofSeconds(2));
    assertThat(limiter.acquire("b")).as("keys are independent").isEmpty();

    clock.now = clock.now.plusMillis(1500);
    assertThat(limiter.acquire("a")).contains(Duration.ofMillis(500));
    clock.now = clock.now.plusMillis(500);
    assertThat(limiter.acquire("a")).isEmpty();
    assertThat(limiter.acquire("a")).isPresent();
  }

  @Test
  void theRateLimiterKeepsAtMostItsBoundOfKeys() {
    TestClock clock = new TestClock();
    RateLimiter limiter = new RateLimiter(clock, 1, Duration.ofHours(1), 2);
    limiter.acquire("a");
    limiter.acquire("b");
    limiter.acquire("c");

    // "a" was dropped as least recently used: it starts with a full bucket again.
    assertThat(limiter.acquire("a")).isEmpty();
    assertThat(limiter.acquire("c")).isPresent();
  }
}
