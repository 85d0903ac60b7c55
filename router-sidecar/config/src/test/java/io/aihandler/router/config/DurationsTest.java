package io.aihandler.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The API's duration language at its edges; the CRD pattern is held to the same table in crds. */
class DurationsTest {

  @ParameterizedTest(name = "{0} = {1} ns")
  @CsvSource({
    "0s, 0",
    "0ms, 0",
    "0.0h, 0",
    "1.5s, 1500000000",
    "0.5ms, 500000",
    "0.000001ms, 1",
    "0.0000001ms, 0",
    "1.123456789s, 1123456789",
    "1.5m, 90000000000",
    "1.5h, 5400000000000",
    "1h30m, 5400000000000",
    "1h30m15s500ms, 5415500000000",
    "1m1m, 120000000000",
    "250ms, 250000000",
    "999999h, 3599996400000000000",
    "999999.999999999h999999.999999999m999999.999999999s999999.999999999ms, 3661000999999996338"
  })
  void parsesExactlyToTheNanosecond(String text, long nanos) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @Test
  void theLargestValueStillFitsInNanosecondsAndIsBelowGosLimit() {
    Duration largest =
        Durations.parse("999999.999999999h999999.999999999m999999.999999999s999999.999999999ms");
    assertThat(largest.toNanos()).isLessThan(Long.MAX_VALUE);
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(
      strings = {
        "",
        " ",
        "0",
        "10",
        "s",
        "1",
        "5 s",
        " 5s",
        "5s ",
        "5s\n",
        "+5s",
        "-5s",
        "1.s",
        ".5s",
        "1.5.5s",
        "1us",
        "1µs",
        "1ns",
        "1d",
        "1H",
        "1S",
        "1sec",
        "1h 30m",
        "1h,30m",
        "1e3s",
        "1000000s",
        "0000001s",
        "1.1234567890s",
        "1s1s1s1s1s",
        "99999999999999999999h",
        "１s"
      })
  void refusesWhatTheCrdPatternRefuses(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration");
  }

  @Test
  void refusesNullAndNamesTheFieldWhenAsked() {
    assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> Durations.parseOrDefault("spec.vllm.startupTimeout", "30 m", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.vllm.startupTimeout: '30 m' is not a duration");
    assertThat(Durations.parseOrDefault("f", null, Duration.ofMinutes(5)))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parseOrDefault("f", "1.5s", Duration.ZERO))
        .isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void aLongBadInputIsCutInTheMessage() {
    String text = "9".repeat(10_000) + "h";
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }
}
