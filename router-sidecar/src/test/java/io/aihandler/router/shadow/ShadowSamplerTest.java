package io.aihandler.router.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShadowSamplerTest {

  @Test
  void aRateSamplesThatShareOfRequests() {
    SplittableRandom seeded = new SplittableRandom(42);
    ShadowSampler sampler = new ShadowSampler(() -> seeded);
    int sampled = 0;
    for (int i = 0; i < 100_000; i++) {
      if (sampler.sampled(0.1)) {
        sampled++;
      }
    }
    assertThat(sampled).isBetween(9_500, 10_500);
  }

  @Test
  void zeroNeverSamplesAndOneAlwaysDoes() {
    ShadowSampler sampler = new ShadowSampler();
    for (int i = 0; i < 10_000; i++) {
      assertThat(sampler.sampled(0.0)).isFalse();
      assertThat(sampler.sampled(null)).isFalse();
      assertThat(sampler.sampled(1.0)).isTrue();
    }
  }
}
