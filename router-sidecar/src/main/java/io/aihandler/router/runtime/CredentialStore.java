package io.aihandler.router.runtime;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Credentials;
import io.aihandler.router.metrics.RouterMetrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Holds the backends' API keys, read from files (mounted Secrets) or environment variables. Files
 * are re-read by {@link #refresh}, so a rotated key is used from the next request on without a
 * restart. Keys are only handed to the HTTP layer; nothing here logs a value.
 */
public final class CredentialStore {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.credentials");

  private final Function<String, String> environment;
  private final RouterMetrics metrics;
  private final Map<Path, String> fileKeys = new ConcurrentHashMap<>();
  private volatile List<Credentials> watched = List.of();

  public CredentialStore(Function<String, String> environment, RouterMetrics metrics) {
    this.environment = environment;
    this.metrics = metrics;
  }

  /** Sets the credentials the current config uses and reads any new files now. */
  public void track(Collection<Backend> backends) {
    watched =
        backends.stream().map(Backend::credentials).filter(Objects::nonNull).distinct().toList();
    refresh();
  }

  /** Re-reads every key file; a changed file replaces the key, an unreadable one keeps the last. */
  public void refresh() {
    for (Credentials c : watched) {
      if (c.file() == null) {
        continue;
      }
      Path path = Path.of(c.file());
      try {
        String value = Files.readString(path, StandardCharsets.UTF_8).strip();
        String previous = fileKeys.put(path, value);
        if (previous != null && !previous.equals(value)) {
          LOG.log(Level.INFO, "credential file {0} changed; the new key is in use", path);
          metrics.reload("credentials", true);
        }
      } catch (IOException e) {
        if (fileKeys.containsKey(path)) {
          LOG.log(Level.WARNING, "cannot re-read credential file {0}; keeping the last key", path);
          metrics.reload("credentials", false);
        } else {
          LOG.log(Level.WARNING, "cannot read credential file {0}: {1}", path, e.getClass().getSimpleName());
        }
      }
    }
  }

  /** The backend's key, or null when it has none (or its file cannot be read yet). */
  public String key(Backend backend) {
    Credentials c = backend.credentials();
    if (c == null) {
      return null;
    }
    if (c.env() != null) {
      String v = environment.apply(c.env());
      return v == null || v.isBlank() ? null : v.strip();
    }
    return fileKeys.get(Path.of(c.file()));
  }

  /** Every key currently known, to redact from anything shown (messages, logs). */
  public List<String> knownKeys() {
    List<String> keys = new java.util.ArrayList<>(fileKeys.values());
    for (Credentials c : watched) {
      if (c.env() != null) {
        String v = environment.apply(c.env());
        if (v != null && !v.isBlank()) {
          keys.add(v.strip());
        }
      }
    }
    return keys;
  }

  /** Replaces every known key and anything shaped like a provider key in a text. */
  public String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String key : knownKeys()) {
      if (key.length() >= 4) {
        out = out.replace(key, "[redacted]");
      }
    }
    // Providers sometimes echo part of a key (e.g. "Incorrect API key provided: sk-abc***xyz").
    return out.replaceAll("(sk-|sk-ant-|AIza)[A-Za-z0-9_\\-*]{4,}", "[redacted]");
  }
}
