package io.aihandler.router.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Checks {@code sidecar.tracing} and {@code sidecar.logFormat}. */
final class ObservabilityValidator {

  /** An export that takes longer than this is hung, not slow. */
  static final Duration MAX_EXPORT_TIMEOUT = Duration.ofSeconds(60);

  static final int MAX_QUEUE_SIZE = 65_536;

  static final int MAX_SERVICE_NAME = 253;

  static final int MAX_ENDPOINT = 2048;

  private ObservabilityValidator() {}

  static void check(SidecarSettings s, List<String> p) {
    String format = s.logFormat().toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      p.add("sidecar.logFormat: \"" + s.logFormat() + "\" is not one of text, json");
    }
    Tracing t = s.tracing();
    if (t.otlpEndpoint() != null) {
      endpoint("sidecar.tracing.otlpEndpoint", t.otlpEndpoint(), p);
    }
    double ratio = t.samplingRatio();
    if (!(ratio >= 0 && ratio <= 1)) {
      p.add("sidecar.tracing.samplingRatio: " + t.samplingRatio() + " is outside 0..1");
    }
    if (t.serviceName().length() > MAX_SERVICE_NAME) {
      p.add("sidecar.tracing.serviceName: longer than " + MAX_SERVICE_NAME + " characters");
    }
    try {
      Duration d = t.exportTimeoutDuration();
      if (d.isZero() || d.isNegative() || d.compareTo(MAX_EXPORT_TIMEOUT) > 0) {
        p.add("sidecar.tracing.exportTimeout: " + t.exportTimeout() + " is outside (0s, 60s]");
      }
    } catch (IllegalArgumentException e) {
      p.add("sidecar.tracing.exportTimeout: " + e.getMessage());
    }
    if (t.maxQueueSize() < 1 || t.maxQueueSize() > MAX_QUEUE_SIZE) {
      p.add(
          "sidecar.tracing.maxQueueSize: " + t.maxQueueSize() + " is outside 1.." + MAX_QUEUE_SIZE);
    }
  }

  /** An absolute http(s) URL with a host and no user info (a password has no place in it). */
  private static void endpoint(String at, String url, List<String> p) {
    if (url.length() > MAX_ENDPOINT) {
      p.add(at + ": longer than " + MAX_ENDPOINT + " characters");
      return;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      p.add(at + ": not a URL");
      return;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      p.add(at + ": must be an http:// or https:// URL");
    } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
      p.add(at + ": must name a host");
    } else if (uri.getRawUserInfo() != null) {
      p.add(at + ": must not hold user info (credentials do not belong in a URL)");
    } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      p.add(at + ": must not have a query or fragment");
    }
  }
}
