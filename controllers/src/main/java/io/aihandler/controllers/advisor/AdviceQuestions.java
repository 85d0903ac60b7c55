package io.aihandler.controllers.advisor;

import io.aihandler.api.v1alpha1.AdviceAnswer;
import io.aihandler.api.v1alpha1.AdviceLean;
import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.PromptHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The five questions of the open-or-closed decision, each answered from what was observed and
 * scored toward open (self-hosted), closed (hosted) or neither, with its evidence.
 */
public final class AdviceQuestions {

  public static final String DATA_RESIDENCY = "dataResidency";
  public static final String VOLUME = "volume";
  public static final String STRUCTURED_OUTPUT = "structuredOutput";
  public static final String ENGINEERING_COST = "engineeringCost";
  public static final String PROMPT_CHANGES = "promptChanges";

  private AdviceQuestions() {}

  /**
   * 1. Can the data leave the infrastructure? No when the task's class or any class observed on its
   * traffic allows no external backend: open, whatever the other answers say. Yes leans closed:
   * nothing keeps the task in, and a hosted model needs no one to run it.
   *
   * @param taskClass the task's own class (its {@code dataClass} or the policy's default); null:
   *     none
   * @param classes the policy's data classes by name
   * @param observed the task's requests in the window by effective data class
   */
  public static AdviceAnswer dataResidency(
      String taskClass, Map<String, DataClass> classes, Map<String, Double> observed) {
    List<String> facts = new ArrayList<>();
    List<String> keepIn = new ArrayList<>();
    if (taskClass == null) {
      facts.add("the task has no data class");
    } else {
      facts.add("task class " + taskClass + " " + allows(classes.get(taskClass)));
      if (!mayLeave(classes.get(taskClass))) {
        keepIn.add(taskClass);
      }
    }
    if (observed.isEmpty()) {
      facts.add("no requests observed in the window");
    } else {
      List<String> seen = new ArrayList<>();
      observed.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              e -> {
                seen.add(e.getKey() + " " + AdviceFormat.number(Math.round(e.getValue())));
                DataClass dataClass = classes.get(e.getKey());
                if (dataClass != null && !mayLeave(dataClass) && !keepIn.contains(e.getKey())) {
                  keepIn.add(e.getKey());
                  facts.add("observed class " + e.getKey() + " " + allows(dataClass));
                }
              });
      facts.add("requests by class in the window: " + String.join(", ", seen));
    }
    String evidence = String.join("; ", facts);
    if (!keepIn.isEmpty()) {
      return new AdviceAnswer(
          DATA_RESIDENCY,
          AdviceLean.OPEN,
          "no: " + String.join(", ", keepIn) + " data must stay in the cluster",
          evidence);
    }
    return new AdviceAnswer(
        DATA_RESIDENCY, AdviceLean.CLOSED, "yes: every class seen may reach external", evidence);
  }

  /** 2. Monthly token volume at the observed rate against the two thresholds. */
  public static AdviceAnswer volume(TaskEconomics economics, AdvisorSettings settings) {
    double tokens = economics.tokensPerMonth();
    String evidence =
        AdviceFormat.tokens(economics.inputTokensPerMonth())
            + " input + "
            + AdviceFormat.tokens(economics.outputTokensPerMonth())
            + " output tokens/month over "
            + AdviceFormat.number(Math.round(economics.requestsPerMonth()))
            + " requests/month, from "
            + AdviceFormat.duration(economics.observedSeconds())
            + " of data x "
            + AdviceFormat.number(economics.monthFactor())
            + "; leans closed under "
            + AdviceFormat.tokens(settings.closedBelowTokensPerMonth())
            + ", open over "
            + AdviceFormat.tokens(settings.openAboveTokensPerMonth());
    String amount = AdviceFormat.tokens(tokens) + " tokens/month";
    if (tokens < settings.closedBelowTokensPerMonth()) {
      return new AdviceAnswer(VOLUME, AdviceLean.CLOSED, amount + ": low", evidence);
    }
    if (tokens > settings.openAboveTokensPerMonth()) {
      return new AdviceAnswer(VOLUME, AdviceLean.OPEN, amount + ": high", evidence);
    }
    return new AdviceAnswer(VOLUME, AdviceLean.NEUTRAL, amount + ": in between", evidence);
  }

  /**
   * 3. Does the task need deterministic structured output on a complex schema? Compares the best
   * first-try validity of the self-hosted and the hosted backends observed: open when the
   * self-hosted one trails by at most the tolerance and loses no more answers; closed when it
   * trails further, or when the schema is complex and no self-hosted model has shown it can hold
   * it.
   *
   * @param eligible backends the task's data may reach
   */
  public static AdviceAnswer structuredOutput(
      SchemaComplexity schema,
      boolean hasSchema,
      List<BackendEconomics> eligible,
      AdvisorSettings settings) {
    if (!hasSchema) {
      return new AdviceAnswer(
          STRUCTURED_OUTPUT,
          AdviceLean.NEUTRAL,
          "no: the task has no output schema",
          "without a schema every answer counts as valid first try");
    }
    boolean complex = schema.complex(settings.complexSchemaNodes());
    Optional<BackendEconomics> open = mostValid(eligible, false);
    Optional<BackendEconomics> closed = mostValid(eligible, true);
    List<String> facts = new ArrayList<>();
    facts.add(
        (complex ? "complex schema (" : "simple schema (")
            + schema.describe()
            + "; complex from "
            + settings.complexSchemaNodes()
            + " nodes or depth "
            + SchemaComplexity.COMPLEX_DEPTH
            + ")");
    open.ifPresent(b -> facts.add(validity(b)));
    closed.ifPresent(b -> facts.add(validity(b)));
    facts.add("tolerance " + AdviceFormat.number(settings.validityTolerance()) + " points");
    String evidence = String.join("; ", facts);
    double tolerance = settings.validityTolerance() / 100;
    if (open.isPresent() && closed.isPresent()) {
      double gap = closed.get().answers().firstTryRate() - open.get().answers().firstTryRate();
      double lost = open.get().answers().unusableRate() - closed.get().answers().unusableRate();
      if (gap <= tolerance && lost <= tolerance) {
        return new AdviceAnswer(
            STRUCTURED_OUTPUT,
            AdviceLean.OPEN,
            open.get().name() + " holds the schema as well as " + closed.get().name(),
            evidence);
      }
      return new AdviceAnswer(
          STRUCTURED_OUTPUT,
          AdviceLean.CLOSED,
          "yes: "
              + open.get().name()
              + " trails "
              + closed.get().name()
              + " by "
              + String.format(java.util.Locale.ROOT, "%.1f", gap * 100)
              + " points first try",
          evidence);
    }
    if (open.isPresent()) {
      boolean holds = open.get().answers().firstTryRate() >= 1 - tolerance;
      return new AdviceAnswer(
          STRUCTURED_OUTPUT,
          holds ? AdviceLean.OPEN : complex ? AdviceLean.CLOSED : AdviceLean.NEUTRAL,
          holds
              ? open.get().name() + " holds the schema"
              : open.get().name() + " misses the schema too often first try",
          evidence);
    }
    return new AdviceAnswer(
        STRUCTURED_OUTPUT,
        complex ? AdviceLean.CLOSED : AdviceLean.NEUTRAL,
        complex
            ? "yes: complex schema, no self-hosted model observed on it"
            : "simple schema, no self-hosted model observed on it",
        evidence);
  }

  /**
   * 4. Self-hosting's engineering cost against the cost difference: open when the cheapest
   * self-hosted backend plus the engineering cost per month is below the cheapest hosted one.
   */
  public static AdviceAnswer engineeringCost(
      List<BackendEconomics> eligible, AdvisorSettings settings) {
    Optional<BackendEconomics> open = cheapest(eligible, false);
    Optional<BackendEconomics> closed = cheapest(eligible, true);
    double engineering = settings.engineeringCostPerMonth();
    String arithmetic =
        "engineering: "
            + AdviceFormat.number(settings.selfHostingEngineers())
            + " engineer x "
            + AdviceFormat.usd(settings.engineerYearlyCost())
            + "/year / 12 = "
            + AdviceFormat.usd(engineering)
            + "/month";
    if (open.isEmpty() || closed.isEmpty()) {
      String missing =
          open.isEmpty() && closed.isEmpty()
              ? "no backend could be priced"
              : open.isEmpty()
                  ? "no self-hosted backend is allowed and priced"
                  : "no hosted backend is allowed and priced";
      return new AdviceAnswer(
          ENGINEERING_COST, AdviceLean.NEUTRAL, "cannot compare: " + missing, arithmetic);
    }
    double openTotal = open.get().costPerMonth() + engineering;
    double closedTotal = closed.get().costPerMonth();
    String evidence =
        arithmetic
            + "; self-hosted "
            + open.get().name()
            + " "
            + AdviceFormat.usd(open.get().costPerMonth())
            + "/month ("
            + open.get().costBasis()
            + ") + engineering = "
            + AdviceFormat.usd(openTotal)
            + "; hosted "
            + closed.get().name()
            + " "
            + AdviceFormat.usd(closedTotal)
            + "/month ("
            + closed.get().costBasis()
            + ")";
    if (openTotal < closedTotal) {
      return new AdviceAnswer(
          ENGINEERING_COST,
          AdviceLean.OPEN,
          "self-hosting saves " + AdviceFormat.usd(closedTotal - openTotal) + "/month",
          evidence);
    }
    return new AdviceAnswer(
        ENGINEERING_COST,
        AdviceLean.CLOSED,
        "hosted is cheaper by " + AdviceFormat.usd(openTotal - closedTotal) + "/month",
        evidence);
  }

  /**
   * 5. How often the prompt logic changes: often leans closed (a hosted model follows a changed
   * prompt with no re-evaluation of a tuned model), a long stable stretch leans open.
   */
  public static AdviceAnswer promptChanges(
      PromptHistory history, Instant now, AdvisorSettings settings) {
    if (history == null || history.observedSince() == null) {
      return new AdviceAnswer(
          PROMPT_CHANGES, AdviceLean.NEUTRAL, "unknown", "no prompt record yet");
    }
    Instant since = Instant.parse(history.observedSince());
    Instant last = history.lastChange() == null ? since : Instant.parse(history.lastChange());
    int changes = history.changes() == null ? 0 : history.changes();
    double days = Math.max(0, Duration.between(since, now).toSeconds() / 86_400.0);
    // Under a month of record counts as a month, so one early edit is not "30 a month".
    double perMonth = changes / Math.max(1, days / 30);
    double stableDays = Duration.between(last, now).toSeconds() / 86_400.0;
    String evidence =
        changes
            + " change(s) of prompt, variables, schema or parameters since "
            + history.observedSince()
            + (history.lastChange() == null ? "" : ", last " + history.lastChange())
            + " = "
            + AdviceFormat.number(perMonth)
            + "/month; leans closed from "
            + AdviceFormat.number(settings.frequentPromptChangesPerMonth())
            + "/month, open after "
            + settings.stablePromptDays()
            + " days unchanged";
    if (changes > 0 && perMonth >= settings.frequentPromptChangesPerMonth()) {
      return new AdviceAnswer(
          PROMPT_CHANGES,
          AdviceLean.CLOSED,
          "often: " + AdviceFormat.number(perMonth) + " changes/month",
          evidence);
    }
    if (stableDays >= settings.stablePromptDays()) {
      return new AdviceAnswer(
          PROMPT_CHANGES,
          AdviceLean.OPEN,
          "rarely: unchanged for " + Math.round(Math.floor(stableDays)) + " days",
          evidence);
    }
    return new AdviceAnswer(
        PROMPT_CHANGES,
        AdviceLean.NEUTRAL,
        "too soon to tell: " + Math.round(Math.floor(stableDays)) + " days unchanged",
        evidence);
  }

  private static Optional<BackendEconomics> mostValid(
      List<BackendEconomics> eligible, boolean external) {
    return eligible.stream()
        .filter(b -> b.observed() && b.external() == external)
        .max(
            Comparator.comparingDouble((BackendEconomics b) -> b.answers().firstTryRate())
                .thenComparing(b -> -b.answers().unusableRate())
                .thenComparing(BackendEconomics::name, Comparator.reverseOrder()));
  }

  private static Optional<BackendEconomics> cheapest(
      List<BackendEconomics> eligible, boolean external) {
    return eligible.stream()
        .filter(b -> b.priced() && b.profile() != null && b.external() == external)
        .min(
            Comparator.comparingDouble(BackendEconomics::costPerMonth)
                .thenComparing(BackendEconomics::name));
  }

  private static String validity(BackendEconomics backend) {
    return backend.name()
        + " ("
        + (backend.external() ? "hosted" : "self-hosted")
        + ", "
        + AdviceFormat.number(Math.round(backend.answers().total()))
        + " answers): "
        + AdviceFormat.percent(backend.answers().firstTryRate())
        + " valid first try, "
        + AdviceFormat.percent(backend.answers().share(backend.answers().validAfterRepair()))
        + " after repair, "
        + AdviceFormat.percent(backend.answers().share(backend.answers().invalid()))
        + " invalid, "
        + AdviceFormat.percent(backend.answers().share(backend.answers().failed()))
        + " failed";
  }

  private static boolean mayLeave(DataClass dataClass) {
    return dataClass == null || dataClass.allowedLocalities().contains(Locality.EXTERNAL);
  }

  private static String allows(DataClass dataClass) {
    if (dataClass == null) {
      return "is not in the policy";
    }
    return "allows "
        + dataClass.allowedLocalities().stream()
            .map(l -> l == Locality.EXTERNAL ? "external" : "in-cluster")
            .toList();
  }
}
