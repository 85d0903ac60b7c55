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
  void customRegex() {
    var d = new SensitiveDataDetector(new Detector(DetectorType.REGEX, "ACME-\\d{6}"));
    assertThat(d.matches("see ACME-123456")).isTrue();
    assertThat(d.matches("see ACME-12")).isFalse();
  }
}
