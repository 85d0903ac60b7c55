package io.aihandler.controllers.hosted;

import io.aihandler.controllers.hosted.VerificationResult.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Makes a {@link ProviderProbe} call and classifies the answer by its HTTP status. Response bodies
 * are never quoted (providers' 401 bodies quote part of the key); only a 400 is searched for
 * Gemini's {@code API_KEY_INVALID} marker.
 */
public final class CredentialVerifier {

  /** Default bound on one check, connection included. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final Duration timeout;

  /** A verifier with {@link #DEFAULT_TIMEOUT}. */
  public CredentialVerifier() {
    this(DEFAULT_TIMEOUT);
  }

  /** A verifier whose calls give up after {@code timeout}. */
  public CredentialVerifier(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Calls the provider once. Never throws for a network or HTTP failure: those are outcomes. */
  public VerificationResult verify(ProviderProbe probe) {
    HttpRequest.Builder request = HttpRequest.newBuilder(probe.uri()).timeout(timeout).GET();
    probe.headers().forEach(request::header);
    try {
      HttpResponse<InputStream> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        int status = response.statusCode();
        if (status == 400 && isGeminiKeyRejection(body)) {
          // Gemini answers a bad key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.
          return new VerificationResult(
              Outcome.INVALID,
              status,
              probe.describe() + " answered HTTP 400 API_KEY_INVALID: the provider refused the key",
              Optional.empty());
        }
        return classify(probe, status, response.headers().firstValue("Retry-After"));
      }
    } catch (HttpConnectTimeoutException e) {
      return unreachable(probe, "connecting timed out after " + seconds(timeout));
    } catch (HttpTimeoutException e) {
      return unreachable(probe, "no answer within " + seconds(timeout));
    } catch (ConnectException e) {
      return unreachable(probe, "connection refused or failed");
    } catch (SSLException e) {
      return unreachable(probe, "TLS handshake failed");
    } catch (IOException e) {
      return unreachable(probe, "network error (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unreachable(probe, "interrupted");
    }
  }

  /**
   * Looks for Gemini's marker of a refused key in at most 64 KiB of a 400 body. The body is only
   * searched, never kept or quoted.
   */
  private static boolean isGeminiKeyRejection(InputStream body) throws IOException {
    byte[] head = body.readNBytes(64 * 1024);
    return new String(head, StandardCharsets.UTF_8).contains("API_KEY_INVALID");
  }

  static VerificationResult classify(ProviderProbe probe, int status, Optional<String> retryAfter) {
    String call = probe.describe() + " answered HTTP " + status;
    if (status >= 200 && status < 300) {
      return new VerificationResult(Outcome.VALID, status, call, Optional.empty());
    }
    if (status == 401 || status == 403) {
      return new VerificationResult(
          Outcome.INVALID, status, call + ": the provider refused the key", Optional.empty());
    }
    if (status == 429) {
      return new VerificationResult(
          Outcome.RATE_LIMITED,
          status,
          call + ": rate limited or out of quota",
          retryAfter.flatMap(CredentialVerifier::parseRetryAfter));
    }
    if (status >= 500) {
      return new VerificationResult(
          Outcome.UNREACHABLE, status, call + ": the provider is failing", Optional.empty());
    }
    return new VerificationResult(
        Outcome.UNEXPECTED_RESPONSE,
        status,
        call + ": check the backend's baseUrl, provider and apiVersion",
        Optional.empty());
  }

  private static VerificationResult unreachable(ProviderProbe probe, String why) {
    return new VerificationResult(
        Outcome.UNREACHABLE, null, probe.describe() + ": " + why, Optional.empty());
  }

  /** Retry-After in seconds; the HTTP-date form is rare for these APIs and ignored. */
  private static Optional<Duration> parseRetryAfter(String value) {
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + "s"
        : duration.toMillis() + "ms";
  }
}
