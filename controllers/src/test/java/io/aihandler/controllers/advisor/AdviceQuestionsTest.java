package io.aihandler.controllers.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.api.v1alpha1.AdviceAnswer;
import io.aihandler.api.v1alpha1.AdviceLean;
import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.PromptHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each of the five questions, toward each side it can lean, with its evidence. */
class AdviceQuestionsTest {

  private static final AdvisorSettings SETTINGS = AdvisorSettings.defaults();
  private static final Map<String, DataClass> CLASSES =
      Map.of(
          "internal",
          new DataClass("internal", List.of(Locality.IN_CLUSTER, Locality.EXTERNAL), null),
          "restricted",
          new DataClass("restricted", List.of(Locality.IN_CLUSTER), null));

  /** The example's classify-ticket schema: 3 properties and 9 enum values. */
  static final SchemaComplexity CLASSIFY_SCHEMA;

  static {
    try {
      CLASSIFY_SCHEMA =
          SchemaComplexity.of(
              new ObjectMapper()
                  .readTree(
                      """
                      {"type": "object", "required": ["category", "priority", "confidence"],
                       "properties": {
                         "category": {"type": "string",
                                      "enum": ["billing", "bug", "feature-request", "account", "other"]},
                         "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
                         "confidence": {"type": "number", "minimum": 0, "maximum": 1}}}
                      """));
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static List<BackendEconomics> backends(Observed observed, BackendProfile... profiles) {
    return TaskEconomics.compute(
            observed.over(86_400).build(), Profiles.of(profiles), List.of(), Duration.ofDays(7))
        .backends();
  }

  @Test
  void dataThatMustStayInLeansOpenFromTheTaskClassOrAnyClassSeenOnItsTraffic() {
    AdviceAnswer seen =
        AdviceQuestions.dataResidency(
            "internal", CLASSES, Map.of("internal", 995.0, "restricted", 5.0));
    assertThat(seen.leans()).isEqualTo(AdviceLean.OPEN);
    assertThat(seen.answer()).isEqualTo("no: restricted data must stay in the cluster");
    assertThat(seen.evidence())
        .contains("task class internal allows [in-cluster, external]")
        .contains("observed class restricted allows [in-cluster]")
        .contains("requests by class in the window: internal 995, restricted 5");

    AdviceAnswer declared = AdviceQuestions.dataResidency("restricted", CLASSES, Map.of());
    assertThat(declared.leans()).isEqualTo(AdviceLean.OPEN);

    AdviceAnswer free =
        AdviceQuestions.dataResidency("internal", CLASSES, Map.of("internal", 1000.0));
    assertThat(free.leans()).isEqualTo(AdviceLean.CLOSED);
    assertThat(free.answer()).startsWith("yes");
  }

  private static TaskEconomics volume(double tokensPerMonth) {
    return new TaskEconomics(
        86_400,
        30,
        1000,
        tokensPerMonth * 0.9,
        tokensPerMonth * 0.1,
        "claude",
        1,
        List.of(),
        Map.of(),
        Map.of());
  }

  @Test
  void volumeLeansClosedUnderFiftyMillionOpenOverFiveHundredMillionElseNeither() {
    assertThat(AdviceQuestions.volume(volume(10e6), SETTINGS).leans()).isEqualTo(AdviceLean.CLOSED);
    assertThat(AdviceQuestions.volume(volume(600e6), SETTINGS).leans()).isEqualTo(AdviceLean.OPEN);
    AdviceAnswer between = AdviceQuestions.volume(volume(100e6), SETTINGS);
    assertThat(between.leans()).isEqualTo(AdviceLean.NEUTRAL);
    assertThat(between.answer()).isEqualTo("100.0M tokens/month: in between");
    assertThat(between.evidence())
        .contains("90.0M input + 10.0M output tokens/month")
        .contains("from 1d of data x 30")
        .contains("leans closed under 50.0M, open over 500.0M");
  }

  @Test
  void structuredOutputComparesFirstTryValidityOfTheBestSelfHostedAndHostedModels() {
    List<BackendEconomics> trailing =
        backends(
            new Observed()
                .backend("claude", "primary", 998, 2, 0, 0, 400, 30, 0.8, 0)
                .backend("llama-3-3-70b", "shadow", 961, 20, 15, 4, 400, 30, 1.2, 0),
            Profiles.claude(),
            Profiles.llama());
    AdviceAnswer closed =
        AdviceQuestions.structuredOutput(CLASSIFY_SCHEMA, true, trailing, SETTINGS);
    assertThat(closed.leans()).isEqualTo(AdviceLean.CLOSED);
    assertThat(closed.answer())
        .isEqualTo("yes: llama-3-3-70b trails claude by 3.7 points first try");
    assertThat(closed.evidence())
        .contains("complex schema (12 schema nodes, depth 1")
        .contains(
            "llama-3-3-70b (self-hosted, 1000 answers): 96.1% valid first try, 2.0% after repair,"
                + " 1.5% invalid, 0.4% failed")
        .contains("claude (hosted, 1000 answers): 99.8% valid first try");

    List<BackendEconomics> matching =
        backends(
            new Observed()
                .backend("claude", "primary", 995, 5, 0, 0, 400, 30, 0.8, 0)
                .backend("llama-3-3-70b", "shadow", 992, 6, 2, 0, 400, 30, 1.2, 0),
            Profiles.claude(),
            Profiles.llama());
    assertThat(AdviceQuestions.structuredOutput(CLASSIFY_SCHEMA, true, matching, SETTINGS).leans())
        .isEqualTo(AdviceLean.OPEN);
  }

  @Test
  void withoutSelfHostedEvidenceAComplexSchemaLeansClosedASimpleOneNeither() {
    List<BackendEconomics> hostedOnly =
        backends(
            new Observed().backend("claude", "primary", 1000, 0, 0, 0, 400, 30, 0.8, 0),
            Profiles.claude());
    assertThat(
            AdviceQuestions.structuredOutput(CLASSIFY_SCHEMA, true, hostedOnly, SETTINGS).leans())
        .isEqualTo(AdviceLean.CLOSED);
    assertThat(
            AdviceQuestions.structuredOutput(new SchemaComplexity(3, 1), true, hostedOnly, SETTINGS)
                .leans())
        .isEqualTo(AdviceLean.NEUTRAL);
    AdviceAnswer none = AdviceQuestions.structuredOutput(null, false, hostedOnly, SETTINGS);
    assertThat(none.leans()).isEqualTo(AdviceLean.NEUTRAL);
    assertThat(none.answer()).isEqualTo("no: the task has no output schema");
  }

  @Test
  void engineeringCostAddsAQuarterEngineerToSelfHostingAndShowsTheArithmetic() {
    // 1000 answers a day = 30000 a month on claude, 400 + 30 tokens each: $49.50 a month.
    List<BackendEconomics> small =
        backends(
            new Observed()
                .backend("claude", "primary", 1000, 0, 0, 0, 400, 30, 0.8, 0.00165)
                .backend("llama-3-3-70b", "shadow", 100, 0, 0, 0, 400, 30, 1.2, 0),
            Profiles.claude(),
            Profiles.llama());
    AdviceAnswer closed = AdviceQuestions.engineeringCost(small, SETTINGS);
    assertThat(closed.leans()).isEqualTo(AdviceLean.CLOSED);
    assertThat(closed.answer()).isEqualTo("hosted is cheaper by $11,288.37/month");
    assertThat(closed.evidence())
        .startsWith("engineering: 0.25 engineer x $200,000.00/year / 12 = $4,166.67/month")
        .contains("self-hosted llama-3-3-70b $7,171.20/month (")
        .contains(") + engineering = $11,337.87")
        .contains("hosted claude $49.50/month (metered: $1.65 in 1d x 30 for a month)");

    // Ten million answers a day on claude: $495,000 a month against two llama replicas.
    List<BackendEconomics> large =
        backends(
            new Observed()
                .backend("claude", "primary", 10_000_000, 0, 0, 0, 400, 30, 0.8, 0.00165)
                .backend("llama-3-3-70b", "shadow", 100, 0, 0, 0, 400, 30, 0.08, 0),
            Profiles.claude(),
            Profiles.llama());
    AdviceAnswer open = AdviceQuestions.engineeringCost(large, SETTINGS);
    assertThat(open.leans()).isEqualTo(AdviceLean.OPEN);
    assertThat(open.answer()).startsWith("self-hosting saves $");
  }

  @Test
  void engineeringCostCannotCompareWithoutBothSides() {
    List<BackendEconomics> hostedOnly =
        backends(
            new Observed().backend("claude", "primary", 1000, 0, 0, 0, 400, 30, 0.8, 0.00165),
            Profiles.claude());
    AdviceAnswer answer = AdviceQuestions.engineeringCost(hostedOnly, SETTINGS);
    assertThat(answer.leans()).isEqualTo(AdviceLean.NEUTRAL);
    assertThat(answer.answer())
        .isEqualTo("cannot compare: no self-hosted backend is allowed and priced");
  }

  @Test
  void promptChangesOftenLeanClosedALongStableStretchOpen() {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    AdviceAnswer often =
        AdviceQuestions.promptChanges(
            new PromptHistory("abc", 5, "2026-11-01T00:00:00Z", "2026-11-28T00:00:00Z"),
            now,
            SETTINGS);
    assertThat(often.leans()).isEqualTo(AdviceLean.CLOSED);
    assertThat(often.answer()).isEqualTo("often: 5 changes/month");

    AdviceAnswer stable =
        AdviceQuestions.promptChanges(
            new PromptHistory("abc", 1, "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"),
            now,
            SETTINGS);
    assertThat(stable.leans()).isEqualTo(AdviceLean.OPEN);
    assertThat(stable.answer()).isEqualTo("rarely: unchanged for 61 days");

    // One edit in the first ten days is not "three a month": under a month counts as a month.
    AdviceAnswer young =
        AdviceQuestions.promptChanges(
            new PromptHistory("abc", 1, "2026-11-21T00:00:00Z", "2026-11-25T00:00:00Z"),
            now,
            SETTINGS);
    assertThat(young.leans()).isEqualTo(AdviceLean.NEUTRAL);
    assertThat(young.answer()).isEqualTo("too soon to tell: 6 days unchanged");

    assertThat(AdviceQuestions.promptChanges(null, now, SETTINGS).leans())
        .isEqualTo(AdviceLean.NEUTRAL);
  }
}
