package io.aihandler.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Detector;
import io.aihandler.router.config.DetectorType;
import org.junit.jupiter.api.Test;

class SensitiveDataDetectorTest {

  static boolean finds(DetectorType type, String text) {
    return new SensitiveDataDetector(new Detector(type, null)).matches(text);
  }

  @Test
  void cardsNeedTheLuhnCheck() {
    assertThat(finds(DetectorType.CREDIT_CARD, "card 4111 1111 1111 1111 exp 12/29")).isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "order 4111 1111 1111 1112")).isFalse();
  }

  @Test
  void ibansNeedTheMod97Check() {
    assertThat(finds(DetectorType.IBAN, "pay to DE89 3704 0044 0532 0130 00 please")).isTrue();
    assertThat(finds(DetectorType.IBAN, "GB82WEST12345698765432")).isTrue();
    assertThat(finds(DetectorType.IBAN, "DE89 3704 0044 0532 0130 01")).isFalse();
  }

  @Test
  void emailsPhonesAndSsns() {
    assertThat(finds(DetectorType.EMAIL, "write to a.b+c@mail.example.org")).isTrue();
    assertThat(finds(DetectorType.EMAIL, "at the office")).isFalse();
    assertThat(finds(DetectorType.PHONE, "call +1 (415) 555-0132")).isTrue();
    assertThat(finds(DetectorType.PHONE, "version 1.2.3")).isFalse();
    assertThat(finds(DetectorType.US_SSN, "SSN 078-05-1120")).isTrue();
    assertThat(finds(DetectorType.US_SSN, "SSN 000-05-1120")).isFalse();
  }

  @Test
  void candidatesAfterTheFirstLookAlikeAreStillFound() {
    // The first '@', capital-letter pair or digit group is not the sensitive one.
    assertThat(finds(DetectorType.EMAIL, "ping @team, then mail jane.doe@example.com")).isTrue();
    assertThat(finds(DetectorType.EMAIL, "@@ x@y")).isFalse();
    assertThat(finds(DetectorType.IBAN, "AB12 is a code; pay GB82WEST12345698765432")).isTrue();
    assertThat(finds(DetectorType.IBAN, "pay ABGB82WEST12345698765432")).as("glued to a word").isFalse();
    assertThat(finds(DetectorType.CREDIT_CARD, "order 12, item 7: card 4111-1111-1111-1111")).isTrue();
    assertThat(finds(DetectorType.PHONE, "room 12 (floor 3), call 030 1234 5678")).isTrue();
    assertThat(finds(DetectorType.PHONE, "call\n+44 20\t7946 0958")).as("white space of any kind").isTrue();
    assertThat(finds(DetectorType.US_SSN, "ids 12-34, SSN 078-05-1120")).isTrue();
  }

  @Test
  void textWithoutCandidatesIsClearedByItsSignalsAlone() {
    TextSignals plain = TextSignals.of("Hello, I was charged twice in March 2024 for 3 seats (0..1).");
    assertThat(plain.firstAt()).isEqualTo(-1);
    assertThat(plain.firstIbanStart()).isEqualTo(-1);
    assertThat(plain.longestDigitGroup()).isEqualTo(4);
    TextSignals rich = TextSignals.of("x@y, DE89 3704, +1 (415) 555-0132");
    assertThat(rich.firstAt()).isEqualTo(1);
    assertThat(rich.firstIbanStart()).isEqualTo(5);
    assertThat(rich.longestDigitGroup()).isEqualTo(11);
    assertThat(TextSignals.of("1 . . 2").longestDigitGroup()).as("three separators end a group").isEqualTo(1);
  }

  @Test
  void customRegex() {
    var d = new SensitiveDataDetector(new Detector(DetectorType.REGEX, "ACME-\\d{6}"));
    assertThat(d.matches("see ACME-123456")).isTrue();
    assertThat(d.matches("see ACME-12")).isFalse();
  }
}
