package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The token bucket behind {@code limits.tokensPerMinute}, on a clock the test moves. */
class TokenBudgetTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void chargesEstimatesUntilTheMinutesTokensAreSpent() {
    TokenBudget budget = new TokenBudget(1000, 0);

    assertThat(budget.tryTake(600, 0)).isTrue();
    assertThat(budget.tryTake(300, 0)).isTrue();
    assertThat(budget.tryTake(200, 0)).as("only 100 left").isFalse();
    assertThat(budget.available(0)).as("a refusal charges nothing").isEqualTo(100.0);
  }

  @Test
  void refillsContinuouslyUpToOneMinutesWorth() {
    TokenBudget budget = new TokenBudget(600, 0);
    assertThat(budget.tryTake(600, 0)).isTrue();

    assertThat(budget.available(30 * SECOND)).isCloseTo(300.0, within(0.001));
    assertThat(budget.tryTake(200, 30 * SECOND)).isTrue();
    assertThat(budget.available(10 * 60 * SECOND))
        .as("never more than a minute's tokens")
        .isEqualTo(600.0);
  }

  @Test
  void correctionsReplaceTheEstimateWithTheReportedUsage() {
    TokenBudget budget = new TokenBudget(1000, 0);
    assertThat(budget.tryTake(900, 0)).isTrue();

    budget.correct(900, 150, 0);
    assertThat(budget.available(0)).as("the unused 750 come back").isEqualTo(850.0);

    budget.correct(100, 400, 0);
    assertThat(budget.available(0))
        .as("a larger real count charges the difference")
        .isEqualTo(550.0);

    budget.correct(5000, 0, 0);
    assertThat(budget.available(0)).as("refunds never overfill the bucket").isEqualTo(1000.0);
  }

  @Test
  void aRequestLargerThanAMinuteIsServedOnceTheBucketIsFullAndLeavesADebt() {
    TokenBudget budget = new TokenBudget(100, 0);

    assertThat(budget.tryTake(250, 0)).isTrue();
    assertThat(budget.available(0)).isEqualTo(-150.0);
    assertThat(budget.tryTake(1, 60 * SECOND)).as("still paying off the debt").isFalse();
    assertThat(budget.tryTake(1, 91 * SECOND)).isTrue();
  }

  @Test
  void zeroMeansUnlimited() {
    TokenBudget budget = new TokenBudget(0, 0);

    assertThat(budget.tryTake(Long.MAX_VALUE / 2, 0)).isTrue();
    assertThat(budget.tryTake(Long.MAX_VALUE / 2, 0)).isTrue();
  }
}
