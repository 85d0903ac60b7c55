package io.aihandler.controllers.advisor;

import io.aihandler.controllers.advisor.BackendEconomics.AnswerCounts;
import io.aihandler.controllers.advisor.PrometheusClient.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A task's observed economics: volume and cost per month at the observed rate, and per backend its
 * validity, agreement, latency and the projected monthly cost of the task's load on it.
 *
 * <p>Monthly figures are the window's increase × (30 days / the part of the window holding data). A
 * hosted backend's projection is the task's monthly requests × its tokens per request × its token
 * prices. A vLLM backend's is {@code pricing.gpuHourly} × GPUs per replica × the replicas the load
 * needs × 720 h, with the replicas from Little's law: requests per second × its mean observed call
 * duration (the shadow calls', or the clients' when it serves them) ÷ the requests a replica serves
 * at once, rounded up, at least one.
 *
 * @param observedSeconds how much of the window held data; NaN when nothing was observed
 * @param monthFactor what the window's increases are multiplied by for a month; NaN likewise
 * @param requestsPerMonth the clients' answers per month
 * @param inputTokensPerMonth the clients' input tokens per month
 * @param outputTokensPerMonth the clients' output tokens per month
 * @param currentBackend the backend that served most of the clients' answers; null if none did
 * @param costPerMonth what the task costs per month now: metered on a hosted current backend,
 *     projected on a vLLM one; NaN when unknown
 * @param backends every backend observed or configured for the task, the current one first
 * @param dataClasses the task's requests in the window by effective data class
 * @param skipped shadow requests not sent, by backend and reason
 */
public record TaskEconomics(
    double observedSeconds,
    double monthFactor,
    double requestsPerMonth,
    double inputTokensPerMonth,
    double outputTokensPerMonth,
    String currentBackend,
    double costPerMonth,
    List<BackendEconomics> backends,
    Map<String, Double> dataClasses,
    Map<String, Map<String, Double>> skipped) {

  private static final double SECONDS_PER_MONTH = AdvisorSettings.MONTH.toSeconds();

  private static final String PRIMARY = "primary";
  private static final String SHADOW = "shadow";

  /** Tokens per month, input and output. */
  public double tokensPerMonth() {
    return inputTokensPerMonth + outputTokensPerMonth;
  }

  /** Whether any answer of the task was observed. */
  public boolean observed() {
    return requestsPerMonth > 0 || backends.stream().anyMatch(BackendEconomics::observed);
  }

  /** The current backend's figures, if there is one. */
  public BackendEconomics current() {
    return backends.stream()
        .filter(b -> b.role().equals(BackendEconomics.CURRENT))
        .findFirst()
        .orElse(null);
  }

  /**
   * Computes the economics.
   *
   * @param profiles the known backends by the name the sidecars label them with
   * @param configured the backends of the task's route and its evaluation candidates
   */
  public static TaskEconomics compute(
      TaskObservations observations,
      Map<String, BackendProfile> profiles,
      Collection<String> configured,
      Duration window) {
    double observed =
        Double.isNaN(observations.observedSeconds())
            ? Double.NaN
            : Math.min(window.toSeconds(), Math.max(1, observations.observedSeconds()));
    double factor = Double.isNaN(observed) ? Double.NaN : SECONDS_PER_MONTH / observed;

    Map<String, AnswerCounts> primary = counts(observations.answers(), PRIMARY);
    Map<String, AnswerCounts> shadow = counts(observations.answers(), SHADOW);
    double primaryAnswers = primary.values().stream().mapToDouble(AnswerCounts::total).sum();
    double primaryInput = sum(observations.tokens(), s -> isRole(s, PRIMARY) && isInput(s));
    double primaryOutput = sum(observations.tokens(), s -> isRole(s, PRIMARY) && !isInput(s));
    double primaryCost = sum(observations.cost(), s -> isRole(s, PRIMARY));
    String current =
        primary.entrySet().stream()
            .filter(e -> e.getValue().total() > 0)
            .max(
                Comparator.comparingDouble(
                        (Map.Entry<String, AnswerCounts> e) -> e.getValue().total())
                    .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
            .map(Map.Entry::getKey)
            .orElse(null);
    double requestsPerMonth = nanToZero(primaryAnswers * factor);
    double inputPerRequest = primaryAnswers > 0 ? primaryInput / primaryAnswers : Double.NaN;
    double outputPerRequest = primaryAnswers > 0 ? primaryOutput / primaryAnswers : Double.NaN;

    Set<String> names = new LinkedHashSet<>();
    if (current != null) {
      names.add(current);
    }
    shadow.keySet().stream().sorted().forEach(names::add);
    configured.forEach(names::add);
    primary.keySet().stream().sorted().forEach(names::add);

    List<BackendEconomics> backends = new ArrayList<>();
    for (String name : names) {
      boolean isCurrent = name.equals(current);
      AnswerCounts own = shadow.getOrDefault(name, AnswerCounts.NONE);
      String role = own.total() > 0 ? SHADOW : PRIMARY;
      if (isCurrent || own.total() == 0) {
        own = primary.getOrDefault(name, AnswerCounts.NONE);
        role = PRIMARY;
      }
      String figuresRole = role;
      double answered = own.total();
      double input = sum(observations.tokens(), s -> is(s, name, figuresRole) && isInput(s));
      double output = sum(observations.tokens(), s -> is(s, name, figuresRole) && !isInput(s));
      double durationSum = sum(observations.durationSum(), s -> is(s, name, figuresRole));
      double durationCount = sum(observations.durationCount(), s -> is(s, name, figuresRole));
      double agree = agreement(observations.agreement(), name, "exact", "agree");
      double disagree = agreement(observations.agreement(), name, "exact", "disagree");
      double fieldAgree = agreement(observations.agreement(), name, "field", "agree");
      double fieldDisagree = agreement(observations.agreement(), name, "field", "disagree");
      BackendProfile profile = profiles.get(name);
      double meanSeconds = durationCount > 0 ? durationSum / durationCount : Double.NaN;
      double perInput = answered > 0 && input + output > 0 ? input / answered : inputPerRequest;
      double perOutput = answered > 0 && input + output > 0 ? output / answered : outputPerRequest;
      Projection cost =
          isCurrent && profile != null && !profile.selfHosted() && primaryCost > 0
              ? new Projection(
                  primaryCost * factor,
                  "metered: "
                      + AdviceFormat.usd(primaryCost)
                      + " in "
                      + AdviceFormat.duration(observed)
                      + " x "
                      + AdviceFormat.number(factor)
                      + " for a month")
              : project(profile, requestsPerMonth, perInput, perOutput, meanSeconds);
      backends.add(
          new BackendEconomics(
              name,
              isCurrent
                  ? BackendEconomics.CURRENT
                  : answered > 0 ? BackendEconomics.CANDIDATE : BackendEconomics.ALLOWED,
              profile,
              own,
              answered > 0 && input + output > 0 ? input / answered : Double.NaN,
              answered > 0 && input + output > 0 ? output / answered : Double.NaN,
              meanSeconds,
              value(observations.p50(), name, figuresRole),
              value(observations.p95(), name, figuresRole),
              agree + disagree > 0 ? agree / (agree + disagree) : Double.NaN,
              fieldAgree + fieldDisagree > 0
                  ? fieldAgree / (fieldAgree + fieldDisagree)
                  : Double.NaN,
              cost.usd(),
              cost.basis()));
    }

    Map<String, Double> classes = new LinkedHashMap<>();
    observations.dataClasses().stream()
        .filter(s -> s.value() > 0)
        .sorted(Comparator.comparing((Sample s) -> s.label("data_class")))
        .forEach(s -> classes.merge(s.label("data_class"), s.value(), Double::sum));
    Map<String, Map<String, Double>> skipped = new LinkedHashMap<>();
    observations.skipped().stream()
        .filter(s -> s.value() > 0)
        .sorted(Comparator.comparing((Sample s) -> s.label("backend") + "/" + s.label("reason")))
        .forEach(
            s ->
                skipped
                    .computeIfAbsent(s.label("backend"), b -> new LinkedHashMap<>())
                    .merge(s.label("reason"), s.value(), Double::sum));

    BackendEconomics currentFigures =
        backends.stream().filter(b -> b.name().equals(current)).findFirst().orElse(null);
    return new TaskEconomics(
        observed,
        factor,
        requestsPerMonth,
        nanToZero(primaryInput * factor),
        nanToZero(primaryOutput * factor),
        current,
        currentFigures == null ? Double.NaN : currentFigures.costPerMonth(),
        List.copyOf(backends),
        Map.copyOf(classes),
        Map.copyOf(skipped));
  }

  /** A projected monthly cost and how it was reached. */
  record Projection(double usd, String basis) {}

  static Projection project(
      BackendProfile profile,
      double requestsPerMonth,
      double inputPerRequest,
      double outputPerRequest,
      double meanSeconds) {
    if (profile == null) {
      return new Projection(Double.NaN, "no ModelBackend of this name was found");
    }
    if (profile.selfHosted()) {
      if (profile.gpuHourly() == null) {
        return new Projection(Double.NaN, "no pricing.gpuHourly on the backend");
      }
      double perSecond = requestsPerMonth / SECONDS_PER_MONTH;
      int replicas = profile.minReplicas();
      String load;
      if (Double.isNaN(meanSeconds)) {
        load = "no observed latency, so its minimum of " + replicas;
      } else {
        double busy = perSecond * meanSeconds;
        replicas =
            Math.max(
                replicas, (int) Math.min(1000, Math.ceil(busy / profile.concurrencyPerReplica())));
        load =
            AdviceFormat.number(perSecond)
                + " req/s x "
                + AdviceFormat.seconds(meanSeconds)
                + " mean / "
                + AdviceFormat.number(profile.concurrencyPerReplica())
                + " concurrent per replica = "
                + replicas;
      }
      double usd =
          profile.gpuHourly() * profile.gpus() * replicas * AdvisorSettings.HOURS_PER_MONTH;
      return new Projection(
          usd,
          AdviceFormat.usd(profile.gpuHourly())
              + "/GPU-h x "
              + profile.gpus()
              + " GPU x "
              + replicas
              + " replica ("
              + load
              + ") x 720 h");
    }
    if (profile.inputPerMillion() == null && profile.outputPerMillion() == null) {
      return new Projection(Double.NaN, "no token pricing on the backend");
    }
    if (Double.isNaN(inputPerRequest) || Double.isNaN(outputPerRequest)) {
      return new Projection(Double.NaN, "no observed tokens to price");
    }
    double inputTokens = requestsPerMonth * inputPerRequest;
    double outputTokens = requestsPerMonth * outputPerRequest;
    double inPrice = profile.inputPerMillion() == null ? 0 : profile.inputPerMillion();
    double outPrice = profile.outputPerMillion() == null ? 0 : profile.outputPerMillion();
    double usd = (inputTokens * inPrice + outputTokens * outPrice) / 1_000_000;
    return new Projection(
        usd,
        AdviceFormat.tokens(inputTokens)
            + " input x "
            + AdviceFormat.usd(inPrice)
            + "/M + "
            + AdviceFormat.tokens(outputTokens)
            + " output x "
            + AdviceFormat.usd(outPrice)
            + "/M");
  }

  private static Map<String, AnswerCounts> counts(List<Sample> answers, String role) {
    Map<String, double[]> byBackend = new LinkedHashMap<>();
    for (Sample sample : answers) {
      if (!sample.label("role").equals(role) || !(sample.value() > 0)) {
        continue;
      }
      double[] counts = byBackend.computeIfAbsent(sample.label("backend"), b -> new double[4]);
      switch (sample.label("result")) {
        case "valid_first_try" -> counts[0] += sample.value();
        case "valid_after_repair" -> counts[1] += sample.value();
        case "invalid" -> counts[2] += sample.value();
        case "failed" -> counts[3] += sample.value();
        default -> {
          // An unknown result is not counted rather than guessed at.
        }
      }
    }
    Map<String, AnswerCounts> result = new LinkedHashMap<>();
    byBackend.forEach((b, c) -> result.put(b, new AnswerCounts(c[0], c[1], c[2], c[3])));
    return result;
  }

  private static double agreement(
      List<Sample> samples, String backend, String measure, String result) {
    return sum(
        samples,
        s ->
            s.label("backend").equals(backend)
                && s.label("measure").equals(measure)
                && s.label("result").equals(result));
  }

  private static double value(List<Sample> samples, String backend, String role) {
    return samples.stream()
        .filter(s -> is(s, backend, role) && Double.isFinite(s.value()))
        .mapToDouble(Sample::value)
        .findFirst()
        .orElse(Double.NaN);
  }

  private static double sum(List<Sample> samples, Predicate<Sample> which) {
    return samples.stream().filter(which).mapToDouble(Sample::value).filter(Double::isFinite).sum();
  }

  private static boolean is(Sample sample, String backend, String role) {
    return sample.label("backend").equals(backend) && isRole(sample, role);
  }

  private static boolean isRole(Sample sample, String role) {
    return sample.label("role").equals(role);
  }

  private static boolean isInput(Sample sample) {
    return sample.label("direction").equals("input");
  }

  private static double nanToZero(double value) {
    return Double.isNaN(value) ? 0 : value;
  }
}
