package io.aihandler.controllers.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.AdviceAnswer;
import io.aihandler.api.v1alpha1.AdviceLean;
import io.aihandler.api.v1alpha1.AdviceVerdict;
import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.PromptHistory;
import io.aihandler.api.v1alpha1.TaskAdvice;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict from the five answers, the best candidate and its one-line figures. */
class TaskAdvisorTest {

  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private static final AdvisorSettings SETTINGS = AdvisorSettings.defaults();
  private static final Map<String, DataClass> CLASSES =
      Map.of(
          "internal",
          new DataClass("internal", List.of(Locality.IN_CLUSTER, Locality.EXTERNAL), null),
          "restricted",
          new DataClass("restricted", List.of(Locality.IN_CLUSTER), null));
  private static final PromptHistory NEW_PROMPT =
      new PromptHistory("abc", 0, "2026-11-28T12:00:00Z", null);

  private static TaskAdvice advise(Observed observed, String taskClass, PromptHistory history) {
    TaskEconomics economics =
        TaskEconomics.compute(
            observed.over(86_400).build(),
            Profiles.of(Profiles.claude(), Profiles.llama(), Profiles.geminiFlash()),
            List.of("claude", "llama-3-3-70b"),
            Duration.ofDays(7));
    return TaskAdvisor.advise(
        new TaskAdvisor.Inputs(
            "classify",
            taskClass,
            CLASSES,
            AdviceQuestionsTest.CLASSIFY_SCHEMA,
            true,
            economics,
            history,
            SETTINGS,
            NOW));
  }

  /** claude serves; llama answers a tenth in shadow, less often valid; a low volume. */
  private static Observed hostedPrimarySelfHostedShadow() {
    return new Observed()
        .backend("claude", "primary", 998, 2, 0, 0, 400, 30, 0.8, 0.00165)
        .backend("llama-3-3-70b", "shadow", 961, 20, 15, 4, 410, 32, 1.0, 0)
        .agreement("llama-3-3-70b", "exact", 900, 81)
        .skipped("llama-3-3-70b", "busy", 4)
        .skipped("llama-3-3-70b", "cost_cap", 2)
        .dataClass("internal", 1000);
  }

  @Test
  void fourAnswersTowardHostedGiveClosedWithTheCandidatesFiguresInOneLine() {
    TaskAdvice advice = advise(hostedPrimarySelfHostedShadow(), "internal", NEW_PROMPT);

    assertThat(advice.answers())
        .extracting(AdviceAnswer::question)
        .containsExactly(
            "dataResidency", "volume", "structuredOutput", "engineeringCost", "promptChanges");
    assertThat(advice.answers())
        .extracting(AdviceAnswer::leans)
        .containsExactly(
            AdviceLean.CLOSED,
            AdviceLean.CLOSED,
            AdviceLean.CLOSED,
            AdviceLean.CLOSED,
            AdviceLean.NEUTRAL);
    assertThat(advice.verdict()).isEqualTo(AdviceVerdict.CLOSED);
    assertThat(advice.summary())
        .isEqualTo(
            "closed: 4 of 5 answers lean closed (dataResidency, volume, structuredOutput,"
                + " engineeringCost)");
    assertThat(advice.currentBackend()).isEqualTo("claude");
    assertThat(advice.bestCandidate().backend()).isEqualTo("llama-3-3-70b");
    // p95 is 1.5 x the mean in these observations: 1.5 s against 1.2 s.
    assertThat(advice.bestCandidate().summary())
        .isEqualTo(
            "llama-3-3-70b: 96.1% valid first try vs 99.8% on claude, 91.7% exact agreement,"
                + " projected cost +14387%, p95 +0.3s, data class allows it");
    assertThat(advice.bestCandidate().validFirstTry()).isEqualTo(0.961);
    assertThat(advice.costPerMonth()).isEqualTo(49.5);
    assertThat(advice.tokensPerMonth()).isEqualTo(12_900_000);
    assertThat(advice.observedFor()).isEqualTo("1d of 7d");
    assertThat(advice.computedAt()).isEqualTo("2026-12-01T12:00:00Z");
    assertThat(advice.backends())
        .extracting(b -> b.backend() + "/" + b.role())
        .containsExactly("claude/current", "llama-3-3-70b/candidate");
    assertThat(advice.backends().get(1).shadowSkipped()).isEqualTo("busy=4 cost_cap=2");
    assertThat(advice.backends().get(0).shadowSkipped()).isNull();
  }

  @Test
  void dataThatMayNotLeaveGivesOpenWhateverTheOtherAnswersSay() {
    TaskAdvice advice =
        advise(hostedPrimarySelfHostedShadow().dataClass("restricted", 3), "internal", NEW_PROMPT);

    assertThat(advice.verdict()).isEqualTo(AdviceVerdict.OPEN);
    assertThat(advice.summary())
        .isEqualTo(
            "open: restricted data must stay in the cluster; the other answers pick which open"
                + " model");
    // Only in-cluster models are compared once the data must stay.
    assertThat(advice.bestCandidate().backend()).isEqualTo("llama-3-3-70b");
    AdviceAnswer cost = advice.answers().get(3);
    assertThat(cost.answer()).isEqualTo("cannot compare: no hosted backend is allowed and priced");
  }

  @Test
  void threeAnswersTowardOneSideDecideAndTwoAgainstTwoIsMixed() {
    // Data may leave (closed), 25.8B tokens a month (open), llama as valid (open), self-hosting
    // cheaper at that volume (open), six prompt changes this month (closed): three open.
    Observed observed =
        new Observed()
            .backend("claude", "primary", 2_000_000, 0, 0, 0, 400, 30, 0.8, 0.00165)
            .backend("llama-3-3-70b", "shadow", 1000, 0, 0, 0, 400, 30, 0.1, 0)
            .dataClass("internal", 2_000_000);
    TaskAdvice advice =
        advise(
            observed,
            "internal",
            new PromptHistory("abc", 6, "2026-11-01T12:00:00Z", "2026-11-30T12:00:00Z"));

    assertThat(advice.answers())
        .extracting(AdviceAnswer::leans)
        .containsExactly(
            AdviceLean.CLOSED,
            AdviceLean.OPEN,
            AdviceLean.OPEN,
            AdviceLean.OPEN,
            AdviceLean.CLOSED);
    assertThat(advice.verdict()).isEqualTo(AdviceVerdict.OPEN);

    TaskAdvice mixed =
        advise(
            new Observed()
                .backend("claude", "primary", 10_000, 0, 0, 0, 400, 30, 0.8, 0.00165)
                .backend("llama-3-3-70b", "shadow", 1000, 0, 0, 0, 400, 30, 0.1, 0)
                .dataClass("internal", 10_000),
            "internal",
            new PromptHistory("abc", 0, "2026-09-01T12:00:00Z", null));
    // data may leave (closed), 129M tokens (neither), llama as valid (open), hosted cheaper
    // (closed), prompt stable for three months (open): two each.
    assertThat(mixed.verdict()).isEqualTo(AdviceVerdict.MIXED);
    assertThat(mixed.summary())
        .isEqualTo(
            "mixed: 2 open, 2 closed, 1 neutral: stay on the hosted model behind the abstraction,"
                + " keep evaluating");
  }

  @Test
  void aTaskWithNoAnswersGetsNoVerdictButKeepsItsPromptRecord() {
    TaskEconomics economics =
        TaskEconomics.compute(
            TaskObservations.none(),
            Profiles.of(Profiles.claude()),
            List.of("claude"),
            Duration.ofDays(7));
    TaskAdvice advice =
        TaskAdvisor.advise(
            new TaskAdvisor.Inputs(
                "classify",
                "internal",
                CLASSES,
                AdviceQuestionsTest.CLASSIFY_SCHEMA,
                true,
                economics,
                NEW_PROMPT,
                SETTINGS,
                NOW));
    assertThat(advice.verdict()).isNull();
    assertThat(advice.summary())
        .isEqualTo("no answers of the task in the last 7d: nothing to advise on yet");
    assertThat(advice.promptHistory()).isEqualTo(NEW_PROMPT);
    assertThat(advice.answers()).isEmpty();
  }
}
