package io.aihandler.controllers.advisor;

import io.aihandler.controllers.advisor.PrometheusClient.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link TaskObservations} the way Prometheus answers the advisor's queries: one sample per
 * label set of each {@code sum by (...)}, for unit tests of the pure code.
 */
final class Observed {

  private final List<Sample> answers = new ArrayList<>();
  private final List<Sample> tokens = new ArrayList<>();
  private final List<Sample> cost = new ArrayList<>();
  private final List<Sample> p50 = new ArrayList<>();
  private final List<Sample> p95 = new ArrayList<>();
  private final List<Sample> durationSum = new ArrayList<>();
  private final List<Sample> durationCount = new ArrayList<>();
  private final List<Sample> agreement = new ArrayList<>();
  private final List<Sample> skipped = new ArrayList<>();
  private final List<Sample> classes = new ArrayList<>();
  private double observedSeconds = Double.NaN;

  static Sample sample(double value, String... labels) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      map.put(labels[i], labels[i + 1]);
    }
    return new Sample(map, value);
  }

  /**
   * A backend's judged answers in one role: counts of the four results, tokens per answer, the mean
   * duration (also its p50 and p95 here), and the metered cost per answer.
   */
  Observed backend(
      String backend,
      String role,
      double firstTry,
      double afterRepair,
      double invalid,
      double failed,
      double inputPerAnswer,
      double outputPerAnswer,
      double seconds,
      double costPerAnswer) {
    double total = firstTry + afterRepair + invalid + failed;
    String[] results = {"valid_first_try", "valid_after_repair", "invalid", "failed"};
    double[] counts = {firstTry, afterRepair, invalid, failed};
    for (int i = 0; i < 4; i++) {
      answers.add(sample(counts[i], "backend", backend, "role", role, "result", results[i]));
    }
    tokens.add(
        sample(total * inputPerAnswer, "backend", backend, "role", role, "direction", "input"));
    tokens.add(
        sample(total * outputPerAnswer, "backend", backend, "role", role, "direction", "output"));
    cost.add(sample(total * costPerAnswer, "backend", backend, "role", role));
    p50.add(sample(seconds, "backend", backend, "role", role));
    p95.add(sample(seconds * 1.5, "backend", backend, "role", role));
    durationSum.add(sample(total * seconds, "backend", backend, "role", role));
    durationCount.add(sample(total, "backend", backend, "role", role));
    return this;
  }

  Observed agreement(String backend, String measure, double agree, double disagree) {
    agreement.add(sample(agree, "backend", backend, "measure", measure, "result", "agree"));
    agreement.add(sample(disagree, "backend", backend, "measure", measure, "result", "disagree"));
    return this;
  }

  Observed skipped(String backend, String reason, double count) {
    skipped.add(sample(count, "backend", backend, "reason", reason));
    return this;
  }

  Observed dataClass(String name, double requests) {
    classes.add(sample(requests, "data_class", name));
    return this;
  }

  Observed over(double seconds) {
    observedSeconds = seconds;
    return this;
  }

  TaskObservations build() {
    return new TaskObservations(
        answers,
        tokens,
        cost,
        p50,
        p95,
        durationSum,
        durationCount,
        agreement,
        skipped,
        classes,
        observedSeconds);
  }
}
