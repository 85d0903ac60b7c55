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
    assertThat(finds(DetectorType.CREDIT_CARD, "amex 3782 822463 10005")).isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "4111111111111111")).isTrue();
  }

  @Test
  void cardsSurviveEverydaySeparators() {
    assertThat(finds(DetectorType.CREDIT_CARD, "card 4111\u00a01111\u00a01111\u00a01111"))
        .as("no-break spaces")
        .isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "card 4111\u202f1111\u202f1111\u202f1111"))
        .as("narrow no-break spaces")
        .isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "card 4111\t1111\t1111\t1111")).as("tabs").isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "card 4111.1111.1111.1111")).as("dots").isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "card 4111/1111/1111/1111")).as("slashes").isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "card 4111  1111   1111 \t 1111"))
        .as("double spaces")
        .isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "card 4111\u20131111\u20131111\u20131111"))
        .as("en dashes")
        .isTrue();
  }

  @Test
  void cardsSurviveUnicodeDigitsAndInvisibleCharacters() {
    assertThat(finds(DetectorType.CREDIT_CARD, "card ４１１１ １１１１ １１１１ １１１１"))
        .as("full-width")
        .isTrue();
    assertThat(
            finds(
                DetectorType.CREDIT_CARD,
                "card \u0664\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661"))
        .as("Arabic-Indic digits")
        .isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "card 41\u200b11 11\u200c11 1111 1\u00ad111\ufeff"))
        .as("zero-width and soft hyphen")
        .isTrue();
  }

  @Test
  void cardCandidatesAreGroupedLikeCardNumbers() {
    assertThat(finds(DetectorType.CREDIT_CARD, "ref 12 4111 1111 1111 1111"))
        .as("after a short number")
        .isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "4111 1111 1111 1111 2"))
        .as("before a short number")
        .isTrue();
    assertThat(finds(DetectorType.CREDIT_CARD, "41 11 11 11 11 11 11 11"))
        .as("a table of small numbers")
        .isFalse();
    assertThat(finds(DetectorType.CREDIT_CARD, "id 41111111111111110000"))
        .as("20 digits unbroken")
        .isFalse();
  }

  @Test
  void ibansNeedTheMod97Check() {
    assertThat(finds(DetectorType.IBAN, "pay to DE89 3704 0044 0532 0130 00 please")).isTrue();
    assertThat(finds(DetectorType.IBAN, "GB82WEST12345698765432")).isTrue();
    assertThat(finds(DetectorType.IBAN, "DE89 3704 0044 0532 0130 01")).isFalse();
  }

  @Test
  void ibansInLowerCaseAndWithSeparators() {
    assertThat(finds(DetectorType.IBAN, "pay de89370400440532013000")).isTrue();
    assertThat(finds(DetectorType.IBAN, "pay gb82 west 1234 5698 7654 32")).isTrue();
    assertThat(finds(DetectorType.IBAN, "pay DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000"))
        .isTrue();
    assertThat(finds(DetectorType.IBAN, "pay DE89-3704-0044-0532-0130-00")).isTrue();
    assertThat(finds(DetectorType.IBAN, "pay DE89.3704.0044.0532.0130.00")).isTrue();
    assertThat(finds(DetectorType.IBAN, "pay ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００"))
        .as("full-width")
        .isTrue();
    assertThat(finds(DetectorType.IBAN, "ref de89370400440532013001")).as("fails mod 97").isFalse();
    assertThat(finds(DetectorType.IBAN, "pay 1289370400440532013000"))
        .as("no country letters")
        .isFalse();
  }

  @Test
  void emails() {
    assertThat(finds(DetectorType.EMAIL, "write to a.b+c@mail.example.org")).isTrue();
    assertThat(finds(DetectorType.EMAIL, "at the office")).isFalse();
    assertThat(finds(DetectorType.EMAIL, "mail jane.doe＠example.com"))
        .as("full-width at sign")
        .isTrue();
    assertThat(finds(DetectorType.EMAIL, "mail ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ")).as("all full-width").isTrue();
    assertThat(finds(DetectorType.EMAIL, "mail jane\u200b.doe@exa\u200dmple.com"))
        .as("zero-width")
        .isTrue();
    assertThat(finds(DetectorType.EMAIL, "mail jane@exam\u00adple\u2060.com"))
        .as("soft hyphen, word joiner")
        .isTrue();
    assertThat(finds(DetectorType.EMAIL, "mail josé@exämple.de"))
        .as("letters beyond ASCII")
        .isTrue();
  }

  @Test
  void phones() {
    assertThat(finds(DetectorType.PHONE, "call +1 (415) 555-0132")).isTrue();
    assertThat(finds(DetectorType.PHONE, "version 1.2.3")).isFalse();
    assertThat(finds(DetectorType.PHONE, "call 415.555.0132")).as("dots").isTrue();
    assertThat(finds(DetectorType.PHONE, "call 030/1234\u00a05678"))
        .as("slash, no-break space")
        .isTrue();
    assertThat(finds(DetectorType.PHONE, "call 030  1234  5678")).as("double spaces").isTrue();
    assertThat(finds(DetectorType.PHONE, "call ０３０ １２３４ ５６７８")).as("full-width").isTrue();
    assertThat(finds(DetectorType.PHONE, "call 030\t1234\u200b5678"))
        .as("tab, zero-width")
        .isTrue();
  }

  @Test
  void ssnsInGroupsCountOnTheirOwn() {
    assertThat(finds(DetectorType.US_SSN, "SSN 078-05-1120")).isTrue();
    assertThat(finds(DetectorType.US_SSN, "id 078 05 1120")).isTrue();
    assertThat(finds(DetectorType.US_SSN, "id 078-05-1120 1980"))
        .as("then another number")
        .isTrue();
    assertThat(finds(DetectorType.US_SSN, "SSN 000-05-1120")).as("area 000").isFalse();
    assertThat(finds(DetectorType.US_SSN, "SSN 666-05-1120")).as("area 666").isFalse();
    assertThat(finds(DetectorType.US_SSN, "SSN 912-05-1120")).as("area 9xx").isFalse();
    assertThat(finds(DetectorType.US_SSN, "SSN 078-00-1120")).as("group 00").isFalse();
    assertThat(finds(DetectorType.US_SSN, "SSN 078-05-0000")).as("serial 0000").isFalse();
    assertThat(finds(DetectorType.US_SSN, "id 078-05 1120")).as("mixed separators").isFalse();
    assertThat(finds(DetectorType.US_SSN, "call 415 078 05 1120"))
        .as("part of a longer number")
        .isFalse();
  }

  @Test
  void bareSsnsNeedSsnContext() {
    assertThat(finds(DetectorType.US_SSN, "my SSN is 078051120")).isTrue();
    assertThat(finds(DetectorType.US_SSN, "ssn\n078051120"))
        .as("a JSON key and its value")
        .isTrue();
    assertThat(finds(DetectorType.US_SSN, "customerSsn\n078051120")).isTrue();
    assertThat(finds(DetectorType.US_SSN, "social security number: 078051120")).isTrue();
    assertThat(finds(DetectorType.US_SSN, "078051120 (SSN)")).isTrue();
    assertThat(finds(DetectorType.US_SSN, "SSN ０７８０５１１２０")).as("full-width").isTrue();
    assertThat(finds(DetectorType.US_SSN, "order 078051120 shipped")).as("no context").isFalse();
    assertThat(finds(DetectorType.US_SSN, "classname 078051120")).as("ssn inside a word").isFalse();
    assertThat(finds(DetectorType.US_SSN, "SSN 912051120")).as("invalid area").isFalse();
    assertThat(finds(DetectorType.US_SSN, "SSN 0780511201")).as("ten digits").isFalse();
  }

  @Test
  void candidatesAfterTheFirstLookAlikeAreStillFound() {
    // The first '@', letter pair or digit group is not the sensitive one.
    assertThat(finds(DetectorType.EMAIL, "ping @team, then mail jane.doe@example.com")).isTrue();
    assertThat(finds(DetectorType.EMAIL, "@@ x@y")).isFalse();
    assertThat(finds(DetectorType.IBAN, "AB12 is a code; pay GB82WEST12345698765432")).isTrue();
    assertThat(finds(DetectorType.IBAN, "pay ABGB82WEST12345698765432"))
        .as("glued to a word")
        .isFalse();
    assertThat(finds(DetectorType.CREDIT_CARD, "order 12, item 7: card 4111-1111-1111-1111"))
        .isTrue();
    assertThat(finds(DetectorType.PHONE, "room 12 (floor 3), call 030 1234 5678")).isTrue();
    assertThat(finds(DetectorType.PHONE, "call\n+44 20\t7946 0958"))
        .as("white space of any kind")
        .isTrue();
    assertThat(finds(DetectorType.US_SSN, "ids 12-34, SSN 078-05-1120")).isTrue();
  }

  @Test
  void textWithoutCandidatesIsClearedByItsSignalsAlone() {
    TextSignals plain =
        TextSignals.of("Hello, I was charged twice in March 2024 for 3 seats (0..1).");
    assertThat(plain.firstAt()).isEqualTo(-1);
    assertThat(plain.firstIbanStart()).isEqualTo(-1);
    assertThat(plain.longestDigitGroup()).isEqualTo(4);
    TextSignals rich = TextSignals.of("x@y, DE89 3704, +1 (415) 555-0132");
    assertThat(rich.firstAt()).isEqualTo(1);
    assertThat(rich.firstIbanStart()).isEqualTo(5);
    assertThat(rich.longestDigitGroup()).isEqualTo(11);
    assertThat(TextSignals.of("1 . . 2").longestDigitGroup())
        .as("three separators end a group")
        .isEqualTo(1);
    assertThat(TextSignals.of("mp3 ab12 x").firstIbanStart()).as("lower case too").isEqualTo(4);
    assertThat(TextSignals.of("2024/05/12").longestDigitGroup()).as("slashes join").isEqualTo(8);
  }

  @Test
  void customRegexSeesTheNormalisedText() {
    var d = new SensitiveDataDetector(new Detector(DetectorType.REGEX, "ACME-\\d{6}"));
    assertThat(d.matches("see ACME-123456")).isTrue();
    assertThat(d.matches("see ACME-12")).isFalse();
    assertThat(d.matches("see ＡＣＭＥ－１２３４５６")).isTrue();
  }

  @Test
  void anAddressInALongRunOfLettersIsFoundInLinearTime() {
    String text = "a".repeat(200_000) + "@x " + "b".repeat(200_000) + " jane@example.com";
    long start = System.nanoTime();
    assertThat(finds(DetectorType.EMAIL, text)).isTrue();
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }
}
