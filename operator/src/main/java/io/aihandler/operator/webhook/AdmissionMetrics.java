package io.aihandler.operator.webhook;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * {@code aihandler_operator_admissions_total{webhook, result}}: every admission review a webhook
 * answered or failed, with {@code webhook} the path it is served on without the slash ({@code
 * mutate-pods}, {@code validate-workflows}) and {@code result} one of {@link Result}.
 */
public final class AdmissionMetrics {

  /** How an admission review ended. */
  public enum Result {
    /** Admitted; for a mutating webhook, with a patch. */
    ALLOWED,
    /** Refused: the object is not admitted. */
    DENIED,
    /** Not a review we could answer (bad method, body, size) or the webhook threw. */
    ERROR,
    /** A mutating webhook admitted the object unchanged (a pod that asks for no sidecar). */
    SKIPPED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;

  public AdmissionMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The result of a webhook's answer; mutating webhooks are served under {@code /mutate-}. */
  static Result resultOf(String path, AdmissionResponse response) {
    if (response == null) {
      return Result.ERROR;
    }
    if (!Boolean.TRUE.equals(response.getAllowed())) {
      return Result.DENIED;
    }
    return path.startsWith("/mutate-") && isEmptyPatch(response.getPatch())
        ? Result.SKIPPED
        : Result.ALLOWED;
  }

  private static boolean isEmptyPatch(String patch) {
    if (patch == null || patch.isBlank()) {
      return true;
    }
    try {
      return new String(Base64.getDecoder().decode(patch), StandardCharsets.UTF_8)
          .strip()
          .equals("[]");
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  /** Counts one review on the webhook served at {@code path}. */
  void record(String path, Result result) {
    Counter.builder("aihandler.operator.admissions")
        .description("Admission reviews by webhook and result (allowed, denied, error, skipped)")
        .tag("webhook", path.startsWith("/") ? path.substring(1) : path)
        .tag("result", result.label())
        .register(registry)
        .increment();
  }
}
