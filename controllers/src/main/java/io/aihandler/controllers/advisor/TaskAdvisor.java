package io.aihandler.controllers.advisor;

import io.aihandler.api.v1alpha1.AdviceAnswer;
import io.aihandler.api.v1alpha1.AdviceCandidate;
import io.aihandler.api.v1alpha1.AdviceLean;
import io.aihandler.api.v1alpha1.AdviceVerdict;
import io.aihandler.api.v1alpha1.BackendFigures;
import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.PromptHistory;
import io.aihandler.api.v1alpha1.TaskAdvice;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One task's advice from its economics: the five answers, the verdict and the best candidate. Pure:
 * the same inputs give the same advice.
 *
 * <p>The verdict: when the data may not leave the cluster, open (the other answers only refine
 * which open model); otherwise the side three or more answers lean toward, else mixed.
 */
public final class TaskAdvisor {

  /** What the advice of one task is computed from. */
  public record Inputs(
      String task,
      String taskClass,
      Map<String, DataClass> classes,
      SchemaComplexity schema,
      boolean hasSchema,
      TaskEconomics economics,
      PromptHistory history,
      AdvisorSettings settings,
      Instant now) {}

  private TaskAdvisor() {}

  /** The advice for one task. */
  public static TaskAdvice advise(Inputs in) {
    String computedAt = in.now().truncatedTo(ChronoUnit.SECONDS).toString();
    TaskEconomics economics = in.economics();
    String window = AdviceFormat.duration(in.settings().window().toSeconds());
    if (!economics.observed()) {
      return new TaskAdvice(
          in.task(),
          null,
          "no answers of the task in the last " + window + ": nothing to advise on yet",
          null,
          null,
          List.of(),
          figures(economics),
          null,
          null,
          null,
          "nothing of " + window,
          in.history(),
          null,
          computedAt);
    }
    AdviceAnswer residency =
        AdviceQuestions.dataResidency(in.taskClass(), in.classes(), economics.dataClasses());
    boolean staysIn = residency.leans() == AdviceLean.OPEN;
    List<BackendEconomics> eligible =
        economics.backends().stream().filter(b -> !staysIn || !b.external()).toList();
    List<AdviceAnswer> answers =
        List.of(
            residency,
            AdviceQuestions.volume(economics, in.settings()),
            AdviceQuestions.structuredOutput(in.schema(), in.hasSchema(), eligible, in.settings()),
            AdviceQuestions.engineeringCost(eligible, in.settings()),
            AdviceQuestions.promptChanges(in.history(), in.now(), in.settings()));
    long open = answers.stream().filter(a -> a.leans() == AdviceLean.OPEN).count();
    long closed = answers.stream().filter(a -> a.leans() == AdviceLean.CLOSED).count();
    AdviceVerdict verdict;
    String summary;
    if (staysIn) {
      verdict = AdviceVerdict.OPEN;
      summary =
          "open: "
              + residency.answer().substring("no: ".length())
              + "; the other answers pick which open model";
    } else if (open >= 3) {
      verdict = AdviceVerdict.OPEN;
      summary =
          "open: " + open + " of 5 answers lean open (" + leaning(answers, AdviceLean.OPEN) + ")";
    } else if (closed >= 3) {
      verdict = AdviceVerdict.CLOSED;
      summary =
          "closed: "
              + closed
              + " of 5 answers lean closed ("
              + leaning(answers, AdviceLean.CLOSED)
              + ")";
    } else {
      verdict = AdviceVerdict.MIXED;
      summary =
          "mixed: "
              + open
              + " open, "
              + closed
              + " closed, "
              + (5 - open - closed)
              + " neutral: stay on the hosted model behind the abstraction, keep evaluating";
    }
    return new TaskAdvice(
        in.task(),
        verdict,
        summary,
        economics.currentBackend(),
        bestCandidate(economics, eligible, verdict, in.settings()).orElse(null),
        answers,
        figures(economics),
        round(economics.tokensPerMonth(), 0),
        round(economics.requestsPerMonth(), 0),
        round(economics.costPerMonth(), 2),
        AdviceFormat.duration(economics.observedSeconds()) + " of " + window,
        in.history(),
        null,
        computedAt);
  }

  /**
   * The candidate to move to: among the observed backends other than the current one that the data
   * may reach (on the verdict's side when there is one), those within the validity tolerance of the
   * most valid, the cheapest first.
   */
  static Optional<AdviceCandidate> bestCandidate(
      TaskEconomics economics,
      List<BackendEconomics> eligible,
      AdviceVerdict verdict,
      AdvisorSettings settings) {
    List<BackendEconomics> others =
        eligible.stream()
            .filter(b -> b.observed() && !b.name().equals(economics.currentBackend()))
            .toList();
    List<BackendEconomics> side =
        others.stream()
            .filter(
                b ->
                    verdict == AdviceVerdict.MIXED
                        || b.external() == (verdict == AdviceVerdict.CLOSED))
            .toList();
    List<BackendEconomics> pool = side.isEmpty() ? others : side;
    double best =
        pool.stream().mapToDouble(b -> b.answers().firstTryRate()).max().orElse(Double.NaN);
    double tolerance = settings.validityTolerance() / 100;
    Optional<BackendEconomics> chosen =
        pool.stream()
            .filter(b -> b.answers().firstTryRate() >= best - tolerance)
            .min(
                Comparator.comparingDouble(
                        (BackendEconomics b) -> b.priced() ? b.costPerMonth() : Double.MAX_VALUE)
                    .thenComparing(BackendEconomics::name));
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    BackendEconomics candidate = chosen.get();
    BackendEconomics current = economics.current();
    double costChange =
        current != null && current.priced() && current.costPerMonth() > 0 && candidate.priced()
            ? (candidate.costPerMonth() - current.costPerMonth()) / current.costPerMonth() * 100
            : Double.NaN;
    double p95Delta = current == null ? Double.NaN : candidate.p95Seconds() - current.p95Seconds();
    StringBuilder summary =
        new StringBuilder(candidate.name())
            .append(": ")
            .append(AdviceFormat.percent(candidate.answers().firstTryRate()))
            .append(" valid first try");
    if (current != null && current.observed()) {
      summary
          .append(" vs ")
          .append(AdviceFormat.percent(current.answers().firstTryRate()))
          .append(" on ")
          .append(current.name());
    }
    if (!Double.isNaN(candidate.exactAgreement())) {
      summary
          .append(", ")
          .append(AdviceFormat.percent(candidate.exactAgreement()))
          .append(" exact agreement");
    }
    summary
        .append(", projected cost ")
        .append(
            Double.isNaN(costChange)
                ? AdviceFormat.usd(candidate.costPerMonth()) + "/month"
                : AdviceFormat.change(costChange));
    if (!Double.isNaN(p95Delta)) {
      summary.append(", p95 ").append(AdviceFormat.secondsDelta(p95Delta));
    }
    summary.append(", data class allows it");
    return Optional.of(
        new AdviceCandidate(
            candidate.name(),
            summary.toString(),
            round(candidate.answers().firstTryRate(), 4),
            round(candidate.costPerMonth(), 2),
            round(costChange, 1),
            round(p95Delta, 3),
            true));
  }

  private static List<BackendFigures> figures(TaskEconomics economics) {
    return economics.backends().stream()
        .map(
            b ->
                new BackendFigures(
                    b.name(),
                    b.role(),
                    b.profile() == null ? null : b.profile().localityName(),
                    round(b.answers().total() * economics.monthFactor(), 0),
                    round(b.answers().firstTryRate(), 4),
                    round(b.answers().share(b.answers().validAfterRepair()), 4),
                    round(b.answers().share(b.answers().invalid()), 4),
                    round(b.answers().share(b.answers().failed()), 4),
                    round(b.exactAgreement(), 4),
                    round(b.fieldAgreement(), 4),
                    round(b.p50Seconds(), 3),
                    round(b.p95Seconds(), 3),
                    round(b.costPerMonth(), 2),
                    b.costBasis(),
                    skipped(economics.skipped().get(b.name()))))
        .toList();
  }

  private static String skipped(Map<String, Double> reasons) {
    if (reasons == null || reasons.isEmpty()) {
      return null;
    }
    return reasons.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=" + Math.round(e.getValue()))
        .collect(java.util.stream.Collectors.joining(" "));
  }

  private static String leaning(List<AdviceAnswer> answers, AdviceLean lean) {
    return String.join(
        ", ", answers.stream().filter(a -> a.leans() == lean).map(AdviceAnswer::question).toList());
  }

  /** A finite value rounded for the status; null (absent) for NaN and infinities. */
  static Double round(double value, int decimals) {
    if (!Double.isFinite(value)) {
      return null;
    }
    return new BigDecimal(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
  }
}
