package io.aihandler.controllers.modelbackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.aihandler.api.v1alpha1.GpuUsage;
import io.aihandler.controllers.modelbackend.GpuUsageAccounting.InForce;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** GPU-hours used and saved, integrated piecewise over what each status had in force. */
class GpuUsageAccountingTest {

  private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");

  @Test
  void theFirstAccountingStartsTheClockAtZero() {
    var first = GpuUsageAccounting.account(null, null, new InForce(2, 2), true, 4, 2.0, T0);

    assertThat(first.usage())
        .isEqualTo(
            new GpuUsage("2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", 0.0, 0.0, 0.0, 0.0));
    assertThat(first.usedHours()).isZero();
  }

  @Test
  void usedIsReplicasTimesGpusTimesTimeAndPricedByTheHour() {
    var start = GpuUsageAccounting.account(null, null, new InForce(2, 2), true, 4, 2.5, T0);
    // Two replicas of four GPUs for 30 minutes: 4 GPU-hours, $10.
    var later =
        GpuUsageAccounting.account(
            start.usage(),
            new InForce(2, 2),
            new InForce(2, 2),
            true,
            4,
            2.5,
            T0.plusSeconds(1800));

    assertThat(later.usedHours()).isEqualTo(4.0);
    assertThat(later.usage().gpuHoursUsed()).isEqualTo(4.0);
    assertThat(later.usage().costUsd()).isEqualTo(10.0);
    assertThat(later.usage().gpuHoursSaved()).isZero();
    assertThat(later.usage().since()).isEqualTo("2026-03-01T09:00:00Z");
  }

  @Test
  void timeAtZeroIsSavedOnlyForABackendThatScalesToZero() {
    var start = GpuUsageAccounting.account(null, null, new InForce(0, 0), true, 4, 3.0, T0);
    var hour =
        GpuUsageAccounting.account(
            start.usage(),
            new InForce(0, 0),
            new InForce(0, 0),
            true,
            4,
            3.0,
            T0.plusSeconds(3600));
    assertThat(hour.savedHours()).isEqualTo(4.0);
    assertThat(hour.usage().savedUsd()).isEqualTo(12.0);
    assertThat(hour.usage().gpuHoursUsed()).isZero();

    var fixed =
        GpuUsageAccounting.account(
            start.usage(),
            new InForce(0, 0),
            new InForce(0, 0),
            false,
            4,
            3.0,
            T0.plusSeconds(3600));
    assertThat(fixed.savedHours()).as("a backend fixed at zero saves nothing by scaling").isZero();
  }

  @Test
  void totalsMoveOnlyEveryFiveMinutesUnlessTheReplicasChange() {
    var start = GpuUsageAccounting.account(null, null, new InForce(1, 1), true, 1, null, T0);
    var soon =
        GpuUsageAccounting.account(
            start.usage(), new InForce(1, 1), new InForce(1, 1), true, 1, null, T0.plusSeconds(60));
    assertThat(soon.usage()).isEqualTo(start.usage());
    assertThat(soon.usedHours()).isZero();

    // The replicas change after a minute: the minute is accounted at once, at the old replicas.
    var scaled =
        GpuUsageAccounting.account(
            start.usage(), new InForce(1, 1), new InForce(3, 3), true, 1, null, T0.plusSeconds(60));
    assertThat(scaled.usedHours()).isEqualTo(1 / 60.0);
    assertThat(scaled.usage().accountedAt()).isEqualTo("2026-03-01T09:01:00Z");
    assertThat(scaled.usage().costUsd()).as("no price, no dollars").isNull();
  }

  @Test
  void aDayOfIdleNightsAddsUp() {
    // 8 hours serving on one 2-GPU replica, 16 hours at zero: 16 GPU-hours used, 32 saved.
    GpuUsage usage =
        GpuUsageAccounting.account(null, null, new InForce(1, 1), true, 2, 1.0, T0).usage();
    Instant at = T0;
    InForce serving = new InForce(1, 1);
    InForce idle = new InForce(0, 0);
    for (int step = 1; step <= 24 * 12; step++) {
      InForce before = step <= 8 * 12 ? serving : idle;
      InForce now = step < 8 * 12 ? serving : idle;
      at = at.plusSeconds(300);
      usage = GpuUsageAccounting.account(usage, before, now, true, 2, 1.0, at).usage();
    }

    // 288 roundings to six decimals drift by well under a GPU-second.
    assertThat(usage.gpuHoursUsed()).isCloseTo(16.0, within(1e-4));
    assertThat(usage.gpuHoursSaved()).isCloseTo(32.0, within(1e-4));
    assertThat(usage.savedUsd()).isCloseTo(32.0, within(1e-4));
  }
}
