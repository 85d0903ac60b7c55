package io.aihandler.controllers.advisor;

/**
 * What one backend did for a task over the window, and what the task's whole load would cost on it.
 *
 * @param name the backend, as the sidecars label it
 * @param role {@code current}, {@code candidate} (answered in shadow) or {@code allowed} (on the
 *     route or evaluated, with no answers observed)
 * @param profile its pricing and locality; null when no ModelBackend of that name was found
 * @param answers its judged answers in the window (the clients' for the current backend, the shadow
 *     ones for a candidate)
 * @param inputPerRequest mean input tokens per answer; NaN when unknown
 * @param outputPerRequest mean output tokens per answer; NaN when unknown
 * @param meanSeconds mean duration of a judged call; NaN when unknown
 * @param p50Seconds median latency; NaN when unknown
 * @param p95Seconds 95th percentile latency; NaN when unknown
 * @param exactAgreement share of shadow answers equal to the primary's; NaN when none compared
 * @param fieldAgreement share of compared fields that agree; NaN when none compared
 * @param costPerMonth USD per month for the task's load; NaN when it cannot be priced
 * @param costBasis how {@code costPerMonth} was computed
 */
public record BackendEconomics(
    String name,
    String role,
    BackendProfile profile,
    AnswerCounts answers,
    double inputPerRequest,
    double outputPerRequest,
    double meanSeconds,
    double p50Seconds,
    double p95Seconds,
    double exactAgreement,
    double fieldAgreement,
    double costPerMonth,
    String costBasis) {

  public static final String CURRENT = "current";
  public static final String CANDIDATE = "candidate";
  public static final String ALLOWED = "allowed";

  /** Judged answers by result. */
  public record AnswerCounts(
      double validFirstTry, double validAfterRepair, double invalid, double failed) {

    public static final AnswerCounts NONE = new AnswerCounts(0, 0, 0, 0);

    public double total() {
      return validFirstTry + validAfterRepair + invalid + failed;
    }

    /** A share of the total; NaN without answers. */
    public double share(double count) {
      return total() > 0 ? count / total() : Double.NaN;
    }

    public double firstTryRate() {
      return share(validFirstTry);
    }

    /** Answers the client could not use: still invalid after repair, or none at all. */
    public double unusableRate() {
      return share(invalid + failed);
    }
  }

  /** Whether answers of it were observed. */
  public boolean observed() {
    return answers.total() > 0;
  }

  /** Whether it runs outside the cluster; unknown backends count as external. */
  public boolean external() {
    return profile == null || profile.external();
  }

  /** Whether a cost could be projected. */
  public boolean priced() {
    return !Double.isNaN(costPerMonth);
  }
}
