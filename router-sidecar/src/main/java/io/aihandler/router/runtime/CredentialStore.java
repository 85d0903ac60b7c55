package io.aihandler.router.runtime;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Credentials;
import io.aihandler.router.metrics.RouterMetrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Holds the backends' API keys, read from files (mounted Secrets) or environment variables. Files
 * are re-read by {@link #refresh}, so a rotated key is used from the next request on without a
 * restart. An empty or blank file or variable is no key: the backend is unavailable until it holds
 * one, rather than called without authentication. Keys are only handed to the HTTP layer; nothing
 * here logs, counts or describes a value.
 */
public final class CredentialStore {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.credentials");

  /**
   * Whether a backend has a key to send.
   *
   * @param state "none" (the backend needs no key), "present" or "missing"
   * @param problem why the key is missing, naming the file or variable but never a value; null when
   *     not missing
   */
  public record Status(String state, String problem) {
    static final Status NONE = new Status("none", null);
    static final Status PRESENT = new Status("present", null);

    static Status missing(String problem) {
      return new Status("missing", problem);
    }
  }

  /**
   * A key file as last read.
   *
   * @param key the key in use, or null when there is none
   * @param problem why the last read gave no new key, or null
   */
  private record KeyFile(String key, String problem) {}

  private final Function<String, String> environment;
  private final RouterMetrics metrics;
  private final Map<Path, KeyFile> files = new ConcurrentHashMap<>();
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

  /** The largest key file read: API keys are a few hundred bytes, never more than this. */
  static final long MAX_KEY_FILE_BYTES = 64 * 1024;

  private static final class TooLargeException extends IOException {}

  /**
   * Re-reads every key file. A changed file replaces the key; an empty one removes it; an
   * unreadable one keeps the last key (a projected Secret is briefly absent while its symlink is
   * swapped). Each change of state is logged once, not on every call.
   */
  public void refresh() {
    for (Credentials c : watched) {
      if (c.file() != null) {
        reread(Path.of(c.file()));
      }
    }
  }

  private void reread(Path path) {
    KeyFile before = files.get(path);
    String previousKey = before == null ? null : before.key();
    KeyFile now;
    try {
      if (Files.size(path) > MAX_KEY_FILE_BYTES) {
        throw new TooLargeException();
      }
      String value = Files.readString(path, StandardCharsets.UTF_8).strip();
      now =
          value.isEmpty()
              ? new KeyFile(null, "credential file " + path + " is empty")
              : new KeyFile(value, null);
    } catch (IOException e) {
      metrics.configUnreadable("credentials");
      String why =
          e instanceof NoSuchFileException
              ? "credential file " + path + " does not exist"
              : e instanceof TooLargeException
                  ? "credential file " + path + " is larger than " + MAX_KEY_FILE_BYTES + " bytes"
                  : "credential file "
                      + path
                      + " cannot be read ("
                      + e.getClass().getSimpleName()
                      + ")";
      now = new KeyFile(previousKey, why);
    }
    files.put(path, now);
    if (before == null || !Objects.equals(before.problem(), now.problem())) {
      logChange(path, before, now);
    } else if (previousKey != null && now.key() != null && !previousKey.equals(now.key())) {
      LOG.log(Level.INFO, "credential file {0} changed; the new key is in use", path);
      metrics.reload("credentials", true);
    }
  }

  private void logChange(Path path, KeyFile before, KeyFile now) {
    if (now.problem() == null) {
      if (before != null) {
        boolean rotated = before.key() != null && !before.key().equals(now.key());
        LOG.log(
            Level.INFO,
            "credential file {0} holds a key again{1}",
            path,
            rotated ? "; the new key is in use" : "");
        metrics.reload("credentials", true);
      }
      return;
    }
    metrics.reload("credentials", false);
    if (now.key() != null) {
      LOG.log(Level.WARNING, "{0}; keeping the last key", now.problem());
    } else {
      LOG.log(
          Level.WARNING, "{0}; its backends are unavailable until it holds a key", now.problem());
    }
  }

  /** The backend's key, or null when it has none (none needed, empty, or not readable yet). */
  public String key(Backend backend) {
    Credentials c = backend.credentials();
    if (c == null) {
      return null;
    }
    if (c.env() != null) {
      return environmentKey(c.env());
    }
    KeyFile f = files.get(Path.of(c.file()));
    return f == null ? null : f.key();
  }

  /** Whether the backend has a key to send, and if not why; never carries the key. */
  public Status status(Backend backend) {
    Credentials c = backend.credentials();
    if (c == null) {
      return Status.NONE;
    }
    if (c.env() != null) {
      return environmentKey(c.env()) != null
          ? Status.PRESENT
          : Status.missing("environment variable " + c.env() + " is not set or empty");
    }
    KeyFile f = files.get(Path.of(c.file()));
    if (f == null) {
      return Status.missing("credential file " + c.file() + " has not been read yet");
    }
    return f.key() != null ? Status.PRESENT : Status.missing(f.problem());
  }

  private String environmentKey(String name) {
    String v = environment.apply(name);
    return v == null || v.isBlank() ? null : v.strip();
  }

  /** Every key currently known, to redact from anything shown (messages, logs). */
  public List<String> knownKeys() {
    List<String> keys = new ArrayList<>();
    for (KeyFile f : files.values()) {
      if (f.key() != null) {
        keys.add(f.key());
      }
    }
    for (Credentials c : watched) {
      if (c.env() != null) {
        String v = environmentKey(c.env());
        if (v != null) {
          keys.add(v);
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
