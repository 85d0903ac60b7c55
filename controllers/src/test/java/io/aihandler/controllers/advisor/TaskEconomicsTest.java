package io.aihandler.controllers.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The economics of a task from Prometheus's answers: volume, cost, and projections per backend. */
class TaskEconomicsTest {

  private static final Duration WEEK = Duration.ofDays(7);
  private static final double DAY = 86_400;

  /** claude serves the clients: 1000 answers in a day, 400 tokens in and 30 out each. */
  private static Observed claudeServingADay() {
    double costPerAnswer = (400 * 3.0 + 30 * 15.0) / 1e6;
    return new Observed()
        .backend("claude", "primary", 990, 5, 0, 5, 400, 30, 0.8, costPerAnswer)
        .over(DAY);
  }

  private static BackendEconomics backend(TaskEconomics economics, String name) {
    return economics.backends().stream()
        .filter(b -> b.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void monthlyFiguresAreExtrapolatedFromThePartOfTheWindowThatHoldsData() {
    TaskEconomics economics =
        TaskEconomics.compute(
            claudeServingADay().build(), Profiles.of(Profiles.claude()), List.of("claude"), WEEK);

    // One day of data in a 7-day window: x30 for a month, not x30/7.
    assertThat(economics.monthFactor()).isCloseTo(30, within(1e-9));
    assertThat(economics.requestsPerMonth()).isCloseTo(30_000, within(1e-6));
    assertThat(economics.inputTokensPerMonth()).isCloseTo(12_000_000, within(1e-3));
    assertThat(economics.outputTokensPerMonth()).isCloseTo(900_000, within(1e-3));
    assertThat(economics.currentBackend()).isEqualTo("claude");
    // Metered: 1000 x 0.00165 USD in the day, x30.
    assertThat(economics.costPerMonth()).isCloseTo(49.5, within(1e-9));
    BackendEconomics claude = economics.current();
    assertThat(claude.costBasis()).startsWith("metered: $1.65 in 1d x 30");
    assertThat(claude.answers().firstTryRate()).isCloseTo(0.99, within(1e-12));
    assertThat(claude.answers().unusableRate()).isCloseTo(0.005, within(1e-12));
    assertThat(claude.meanSeconds()).isCloseTo(0.8, within(1e-12));
    assertThat(claude.p95Seconds()).isCloseTo(1.2, within(1e-12));
  }

  @Test
  void aWindowFullOfDataIsExtrapolatedByThirtyDaysOverTheWindow() {
    TaskEconomics economics =
        TaskEconomics.compute(
            claudeServingADay().over(10 * DAY).build(),
            Profiles.of(Profiles.claude()),
            List.of(),
            WEEK);

    assertThat(economics.monthFactor()).isCloseTo(30.0 / 7, within(1e-9));
    assertThat(economics.requestsPerMonth()).isCloseTo(1000 * 30.0 / 7, within(1e-6));
  }

  @Test
  void aHostedBackendNotYetObservedIsPricedWithTheTasksOwnTokensPerRequest() {
    TaskEconomics economics =
        TaskEconomics.compute(
            claudeServingADay().build(),
            Profiles.of(Profiles.claude(), Profiles.geminiFlash()),
            List.of("claude", "gemini-flash"),
            WEEK);

    BackendEconomics gemini = backend(economics, "gemini-flash");
    assertThat(gemini.role()).isEqualTo(BackendEconomics.ALLOWED);
    assertThat(gemini.observed()).isFalse();
    // 30000 requests x (400 x 0.30 + 30 x 2.50) / 1e6
    assertThat(gemini.costPerMonth()).isCloseTo(5.85, within(1e-9));
    assertThat(gemini.costBasis()).isEqualTo("12.0M input x $0.30/M + 900.0k output x $2.50/M");
  }

  @Test
  void aVllmBackendCostsItsGpuHoursForTheReplicasTheLoadNeedsByLittlesLaw() {
    TaskEconomics light =
        TaskEconomics.compute(
            claudeServingADay()
                .backend("llama-3-3-70b", "shadow", 90, 4, 4, 2, 410, 35, 2.0, 0)
                .build(),
            Profiles.of(Profiles.claude(), Profiles.llama()),
            List.of("claude", "llama-3-3-70b"),
            WEEK);
    BackendEconomics llama = backend(light, "llama-3-3-70b");
    assertThat(llama.role()).isEqualTo(BackendEconomics.CANDIDATE);
    // 30000/month is 0.0116 req/s x 2 s: far below one replica's 8 at once; one replica, all month.
    assertThat(llama.costPerMonth()).isCloseTo(2.49 * 4 * 720, within(1e-9));
    assertThat(llama.costBasis()).contains("x 4 GPU x 1 replica").endsWith("x 720 h");
    assertThat(llama.answers().firstTryRate()).isCloseTo(0.90, within(1e-12));
    assertThat(llama.inputPerRequest()).isCloseTo(410, within(1e-9));

    // A million answers a day: 30M a month = 11.57 req/s x 2 s = 23.1 in flight / 8 = 3 replicas.
    TaskEconomics heavy =
        TaskEconomics.compute(
            new Observed()
                .backend("claude", "primary", 1_000_000, 0, 0, 0, 400, 30, 0.8, 0.00165)
                .backend("llama-3-3-70b", "shadow", 100, 0, 0, 0, 400, 30, 2.0, 0)
                .over(DAY)
                .build(),
            Profiles.of(Profiles.claude(), Profiles.llama()),
            List.of(),
            WEEK);
    assertThat(backend(heavy, "llama-3-3-70b").costPerMonth())
        .isCloseTo(2.49 * 4 * 3 * 720, within(1e-9));
    assertThat(backend(heavy, "llama-3-3-70b").costBasis()).contains("= 3");
  }

  @Test
  void theCurrentBackendServedMostAnswersAndAFallbackShowsWithItsOwnFigures() {
    TaskEconomics economics =
        TaskEconomics.compute(
            claudeServingADay()
                .backend("gemini-flash", "primary", 8, 0, 1, 1, 380, 28, 0.5, 0.0002)
                .build(),
            Profiles.of(Profiles.claude(), Profiles.geminiFlash()),
            List.of("claude", "gemini-flash"),
            WEEK);

    assertThat(economics.currentBackend()).isEqualTo("claude");
    assertThat(economics.backends().getFirst().name()).isEqualTo("claude");
    BackendEconomics gemini = backend(economics, "gemini-flash");
    assertThat(gemini.role()).isEqualTo(BackendEconomics.CANDIDATE);
    assertThat(gemini.answers().firstTryRate()).isCloseTo(0.8, within(1e-12));
    // Every client answer counts toward the task's volume, whoever served it.
    assertThat(economics.requestsPerMonth()).isCloseTo(1010 * 30, within(1e-6));
  }

  @Test
  void agreementSkipsAndDataClassesAreKeptPerBackendAndClass() {
    TaskEconomics economics =
        TaskEconomics.compute(
            claudeServingADay()
                .backend("llama-3-3-70b", "shadow", 90, 4, 4, 2, 410, 35, 2.0, 0)
                .agreement("llama-3-3-70b", "exact", 80, 14)
                .agreement("llama-3-3-70b", "field", 270, 12)
                .skipped("llama-3-3-70b", "busy", 3)
                .skipped("llama-3-3-70b", "data_class", 2)
                .skipped("llama-3-3-70b", "cost_cap", 0)
                .dataClass("internal", 995)
                .dataClass("restricted", 5)
                .build(),
            Profiles.of(Profiles.claude(), Profiles.llama()),
            List.of(),
            WEEK);

    BackendEconomics llama = backend(economics, "llama-3-3-70b");
    assertThat(llama.exactAgreement()).isCloseTo(80.0 / 94, within(1e-12));
    assertThat(llama.fieldAgreement()).isCloseTo(270.0 / 282, within(1e-12));
    assertThat(economics.skipped().get("llama-3-3-70b"))
        .containsOnlyKeys("busy", "data_class")
        .containsEntry("busy", 3.0);
    assertThat(economics.dataClasses()).containsEntry("internal", 995.0);
    assertThat(economics.dataClasses()).containsEntry("restricted", 5.0);
  }

  @Test
  void nothingObservedGivesNoFiguresRatherThanZeroes() {
    TaskEconomics economics =
        TaskEconomics.compute(
            TaskObservations.none(), Profiles.of(Profiles.claude()), List.of("claude"), WEEK);

    assertThat(economics.observed()).isFalse();
    assertThat(economics.currentBackend()).isNull();
    assertThat(economics.costPerMonth()).isNaN();
    assertThat(backend(economics, "claude").costBasis()).isEqualTo("no observed tokens to price");
  }

  @Test
  void aBackendWithoutAModelBackendOrPricingIsNotPricedAndSaysWhy() {
    TaskEconomics economics =
        TaskEconomics.compute(
            claudeServingADay().backend("mystery", "shadow", 10, 0, 0, 0, 400, 30, 1.0, 0).build(),
            Profiles.of(Profiles.claude()),
            List.of(),
            WEEK);
    BackendEconomics mystery = backend(economics, "mystery");
    assertThat(mystery.priced()).isFalse();
    assertThat(mystery.costBasis()).isEqualTo("no ModelBackend of this name was found");
    assertThat(mystery.external()).isTrue();
  }
}
