package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.EmbeddingCapability;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.provider.EmbeddingRequest;
import io.aihandler.router.provider.EmbeddingResult;
import io.aihandler.router.provider.EmbeddingTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.routing.BackendAdmission.Permit;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.upstream.UpstreamLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Embeddings in the route loop. A backend serves them when it declares {@code
 * capabilities.embeddings} and its provider has an embeddings API. Of those, a request can use the
 * ones its provider and limits allow (token ids, inputs per call, the answer's size), and of those
 * only the ones whose vectors are compatible with the first: the same vector space and the same
 * length. An index built from the answers must never mix vectors of two models, or of two lengths,
 * so a fallback that would is never made.
 */
final class EmbeddingOperation implements Operation {

  private final EmbeddingRequest request;
  private final RoutedCall call;
  private final CallRecord record;
  private final UpstreamLimits limits;
  private final CredentialStore credentials;
  private final UnaryAttempt unary;
  private final RouterMetrics metrics;

  EmbeddingOperation(
      EmbeddingRequest request,
      RoutedCall call,
      CallRecord record,
      UpstreamLimits limits,
      CredentialStore credentials,
      UnaryAttempt unary,
      RouterMetrics metrics) {
    this.request = request;
    this.call = call;
    this.record = record;
    this.limits = limits;
    this.credentials = credentials;
    this.unary = unary;
    this.metrics = metrics;
  }

  @Override
  public String notServed(BackendRuntime b) {
    if (b.translator() != null && b.translator().embeddings() == null) {
      return "provider "
          + b.config().provider().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
          + " has no embeddings API";
    }
    if (!b.config().capabilities().servesEmbeddings()) {
      return "it declares no capabilities.embeddings";
    }
    return null;
  }

  @Override
  public ApiException noneServes(RoutedCall c, List<String> reasons) {
    return Failures.notServed(c, "embeddings_not_served", "embeddings", reasons);
  }

  /** The vector length a backend returns for this request, or null when unknown. */
  private Integer dimensions(BackendRuntime b) {
    if (request.dimensions() != null) {
      return request.dimensions();
    }
    return b.config().capabilities().embeddings().dimensions();
  }

  @Override
  public List<BackendRuntime> usable(
      RoutedCall c, List<BackendRuntime> ordered, List<String> skipped) {
    List<BackendRuntime> out = new ArrayList<>(ordered.size());
    String space = null;
    Integer length = null;
    for (BackendRuntime b : ordered) {
      String why = refusal(b);
      if (why != null) {
        skip(b, why, "cannotServeRequest", skipped);
        continue;
      }
      if (out.isEmpty()) {
        space = b.config().embeddingVectorSpace();
        length = dimensions(b);
      } else if (!Objects.equals(space, b.config().embeddingVectorSpace())
          || !Objects.equals(length, dimensions(b))) {
        skip(
            b,
            "its vectors ("
                + describe(b.config().embeddingVectorSpace(), dimensions(b))
                + ") are not compatible with the first target's ("
                + describe(space, length)
                + "), and one answer never mixes them",
            "incompatibleVectors",
            skipped);
        continue;
      }
      out.add(b);
    }
    return out;
  }

  private void skip(BackendRuntime b, String why, String reason, List<String> skipped) {
    skipped.add(b.name() + ": skipped, " + why);
    metrics.targetSkipped(call.route().name(), b.name(), reason);
  }

  private static String describe(String space, Integer length) {
    return "vector space " + space + ", " + (length == null ? "unknown" : length) + " dimensions";
  }

  /** Why this backend cannot take this request, or null. */
  private String refusal(BackendRuntime b) {
    if (b.translator() == null) {
      // Admission names the missing translator; the request itself is not at fault.
      return null;
    }
    EmbeddingTranslator t = b.translator().embeddings();
    String why = t.refusal(request);
    if (why != null) {
      return why;
    }
    EmbeddingCapability cap = b.config().capabilities().embeddings();
    if (cap.maxInputs() != null && request.inputs() > cap.maxInputs()) {
      return "it takes at most "
          + cap.maxInputs()
          + " inputs in one call"
          + " (capabilities.embeddings.maxInputs), this request has "
          + request.inputs();
    }
    Integer length = dimensions(b);
    if (length != null) {
      long expected = t.expectedAnswerBytes(request.inputs(), length);
      if (expected > limits.maxResponseBytes()) {
        return "its answer of "
            + request.inputs()
            + " vectors of "
            + length
            + " dimensions would"
            + " take about "
            + expected
            + " bytes, more than the sidecar reads from a backend ("
            + limits.maxResponseBytes()
            + " bytes, sidecar.maxUpstreamResponseBytes); send fewer"
            + " inputs in one request";
      }
    }
    return null;
  }

  @Override
  public ApiException noneUsable(RoutedCall c, List<String> skipped) {
    return Failures.noneUsable(c, "embeddings_request_refused", "embeddings", skipped);
  }

  @Override
  public long charge(BackendRuntime b, ObjectNode ignored) {
    return BackendAdmission.capped(b, TokenEstimate.ofEmbeddings(request));
  }

  @Override
  public OutgoingRequest prepare(BackendRuntime b, ObjectNode ignored, TranslationContext ctx) {
    return OutgoingRequest.prepareEmbeddings(b, request, call, credentials);
  }

  @Override
  public AttemptResult attempt(
      BackendRuntime b, OutgoingRequest out, TranslationContext ctx, long deadline, Permit permit) {
    Integer length = dimensions(b);
    EmbeddingTranslator t = b.translator().embeddings();
    return unary.run(
        b,
        out,
        deadline,
        call,
        record,
        permit,
        limits,
        new UnaryAttempt.AnswerReader<Checked>() {
          @Override
          public Checked read(byte[] body) {
            EmbeddingResult r = t.toResult(body);
            // Gemini counts no tokens: its calls are metered at the estimate.
            long tokens =
                r.promptTokens() != null ? r.promptTokens() : TokenEstimate.ofEmbeddings(request);
            return new Checked(EmbeddingCheck.inInputOrder(r, request.inputs(), length), tokens);
          }

          @Override
          public long[] usage(Checked answer) {
            return new long[] {answer.promptTokens(), 0};
          }

          @Override
          public AttemptResult result(Checked answer) {
            return new AttemptResult.Embedded(answer.vectors(), answer.promptTokens());
          }
        },
        () -> Failures.unusableAnswer(b, "it is not an embeddings answer"));
  }

  /** Vectors that passed their checks, and the tokens to meter. */
  private record Checked(float[][] vectors, long promptTokens) {}
}
