package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.CrdAdmission;
import io.aihandler.api.testing.Manifests;
import io.aihandler.api.v1alpha1.ApiPatterns;
import io.aihandler.router.config.Durations;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A duration the API server admits is one the router and the operator can parse, and the other way
 * round: the CRD pattern and {@link Durations} are judged on the same table.
 */
class DurationAdmissionTest {

  private static final CrdAdmission MODEL_BACKENDS = Manifests.admissionFor("modelbackends");

  @Test
  void theCrdPatternIsTheParsersPattern() {
    assertThat(ApiPatterns.DURATION).isEqualTo(Durations.PATTERN);
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(
      strings = {
        "0s",
        "0ms",
        "1.5s",
        "0.5ms",
        "1.123456789s",
        "1.5h",
        "1h30m",
        "1h30m15s500ms",
        "1m1m",
        "999999h",
        "999999.999999999h999999.999999999m999999.999999999s999999.999999999ms",
        "",
        "0",
        "10",
        "5 s",
        " 5s",
        "5s ",
        "+5s",
        "-5s",
        "1.s",
        ".5s",
        "1us",
        "1ns",
        "1d",
        "1H",
        "1h 30m",
        "1e3s",
        "1000000s",
        "1.1234567890s",
        "1s1s1s1s1s",
        "99999999999999999999h"
      })
  void admittedAtApplyExactlyWhenTheRouterCanParseIt(String duration) {
    boolean admitted = admit(duration).isEmpty();
    boolean parsed;
    try {
      Durations.parse(duration);
      parsed = true;
    } catch (IllegalArgumentException e) {
      parsed = false;
    }
    assertThat(admitted)
        .as("admitted [%s] = parsed; errors: %s", duration, admit(duration))
        .isEqualTo(parsed);
  }

  /** startupTimeout has the pattern and no further rule, so the pattern alone decides. */
  private static List<String> admit(String startupTimeout) {
    return MODEL_BACKENDS.admit(
        Manifests.parse(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: llama}
            spec:
              vllm:
                model: hf://meta-llama/Llama-3.1-8B-Instruct
                startupTimeout: "%s"
            """
                .formatted(startupTimeout)));
  }
}
