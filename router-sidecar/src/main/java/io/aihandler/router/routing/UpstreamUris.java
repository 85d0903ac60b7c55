package io.aihandler.router.routing;

import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream URIs requests are sent to, each parsed once: a backend's base URL and a provider's
 * path come from the config, so a sidecar calls a handful of URIs, and parsing one per request was
 * 3% of a plain JSON request's CPU. At most {@link #MAX} are kept; past that (configs reloaded many
 * times over with new URLs), a URI is parsed per request as before.
 */
final class UpstreamUris {

  static final int MAX = 256;

  private static final ConcurrentHashMap<String, URI> PARSED = new ConcurrentHashMap<>();

  private UpstreamUris() {}

  static URI of(String uri) {
    URI parsed = PARSED.get(uri);
    if (parsed != null) {
      return parsed;
    }
    parsed = URI.create(uri);
    if (PARSED.size() < MAX) {
      PARSED.putIfAbsent(uri, parsed);
    }
    return parsed;
  }

  /** How many are kept, for tests. */
  static int size() {
    return PARSED.size();
  }
}
