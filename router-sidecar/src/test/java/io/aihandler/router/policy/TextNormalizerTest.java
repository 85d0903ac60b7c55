package io.aihandler.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextNormalizerTest {

  @Test
  void foldsCompatibilityFormsAndDigitsToAscii() {
    assertThat(TextNormalizer.normalize("４１１１ ＠ ＡＢ")).isEqualTo("4111 @ AB");
    assertThat(TextNormalizer.normalize("\u0660\u0661\u0662 \u0967\u0968 \uD835\uDFD1"))
        .as("Arabic-Indic, Devanagari, math")
        .isEqualTo("012 12 3");
  }

  @Test
  void dropsInvisibleCharacters() {
    assertThat(TextNormalizer.normalize("a\u200bb\u200cc\u200dd\u2060e\ufefff\u00adg\u200eh"))
        .isEqualTo("abcdefgh");
  }

  @Test
  void everyDashIsAHyphenAndEveryRunOfSpaceIsOneSpace() {
    assertThat(TextNormalizer.normalize("1\u20132\u20143\u22124\u20115")).isEqualTo("1-2-3-4-5");
    assertThat(TextNormalizer.normalize("1\u00a02\t3  4\n5\r\n6\u30007\u2028 8"))
        .isEqualTo("1 2 3 4 5 6 7 8");
  }

  @Test
  void asciiTextIsKeptAsItIs() {
    String s = "Hello, world: ticket #42 (urgent) - see a.b@c.de";
    assertThat(TextNormalizer.normalize(s)).isEqualTo(s);
  }
}
