package io.aihandler.router.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ShadowBudgetTest {

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-02T23:59:00Z"));
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };

  @Test
  void worstCasesReservedTogetherCannotPassTheCap() {
    ShadowBudget budget = new ShadowBudget(clock);

    assertThat(budget.tryReserve("t", 1.0, 0.4)).isTrue();
    assertThat(budget.tryReserve("t", 1.0, 0.4)).isTrue();
    assertThat(budget.tryReserve("t", 1.0, 0.4)).isFalse();
    // Another task has a budget of its own.
    assertThat(budget.tryReserve("other", 1.0, 0.4)).isTrue();
  }

  @Test
  void aSettledCallCountsWhatItCostNotItsWorstCase() {
    ShadowBudget budget = new ShadowBudget(clock);
    assertThat(budget.tryReserve("t", 1.0, 0.6)).isTrue();

    budget.settle("t", 0.6, 0.1);

    assertThat(budget.spentToday("t")).isEqualTo(0.1);
    assertThat(budget.tryReserve("t", 1.0, 0.6)).isTrue();
    assertThat(budget.tryReserve("t", 1.0, 0.6)).isFalse();
  }

  @Test
  void aNewUtcDayStartsFromNothing() {
    ShadowBudget budget = new ShadowBudget(clock);
    assertThat(budget.tryReserve("t", 1.0, 0.9)).isTrue();
    budget.settle("t", 0.9, 0.9);
    assertThat(budget.tryReserve("t", 1.0, 0.2)).isFalse();

    now.set(Instant.parse("2026-12-03T00:00:01Z"));

    assertThat(budget.spentToday("t")).isZero();
    assertThat(budget.tryReserve("t", 1.0, 0.2)).isTrue();
  }

  @Test
  void aZeroCapStillLetsFreeCandidatesRunAndNoCapCountsSpending() {
    ShadowBudget budget = new ShadowBudget(clock);

    assertThat(budget.tryReserve("t", 0.0, 0)).isTrue();
    assertThat(budget.tryReserve("t", 0.0, 0.000001)).isFalse();
    assertThat(budget.tryReserve("u", null, 1e9)).isTrue();
    budget.settle("u", 1e9, 2.5);
    assertThat(budget.spentToday("u")).isEqualTo(2.5);
  }
}
