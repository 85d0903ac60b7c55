package io.aihandler.router.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Reads one file on each {@link #observe()} and calls its content stable only once two consecutive
 * observations agree on size, modification time and SHA-256, and the file has not been written for
 * a quiet period ({@link #DEFAULT_QUIET}).
 *
 * <p>A file rewritten in place can be read half-written by an observation that lands mid-write; the
 * rest of the write changes size, time or hash before the next observation, so the half is never
 * stable. The quiet period covers a writer that pauses mid-write for longer than one check interval
 * (a short interval, a slow disk): its half is not old enough to be taken. A writer that pauses
 * longer than the quiet period can still be read half-written; its half must still parse and
 * validate. Kubernetes' projected volumes swap a {@code ..data} symlink atomically: there the new
 * content appears whole and is stable on the second observation that sees it, one check interval
 * later. Symlinks are followed, so the target's attributes are what is compared.
 */
final class StableFileWatch {

  /** What one observation found. */
  sealed interface Observation permits Unreadable, Settling, Stable {}

  /**
   * The file cannot be read: missing, a dangling symlink, or not permitted.
   *
   * @param reason the error's kind and the path, never the content
   */
  record Unreadable(String reason) implements Observation {}

  /** The file differs from the previous observation, or changed while it was read. */
  record Settling() implements Observation {}

  /** The file is as the previous observation saw it. */
  record Stable(Snapshot snapshot) implements Observation {}

  /**
   * The file as one observation read it.
   *
   * @param sha256 hex SHA-256 of {@code content}
   */
  record Snapshot(long size, FileTime modified, String sha256, byte[] content) {

    boolean sameFileAs(Snapshot other) {
      return other != null
          && size == other.size
          && modified.equals(other.modified)
          && sha256.equals(other.sha256);
    }
  }

  /** How long a file must have gone unwritten before its content is taken. */
  static final Duration DEFAULT_QUIET = Duration.ofSeconds(2);

  private final Path file;
  private final Duration quiet;
  private final Clock clock;
  private Snapshot previous;

  StableFileWatch(Path file) {
    this(file, DEFAULT_QUIET, Clock.systemUTC());
  }

  StableFileWatch(Path file, Duration quiet, Clock clock) {
    this.file = file;
    this.quiet = quiet;
    this.clock = clock;
  }

  Path file() {
    return file;
  }

  /**
   * Reads the file now and takes it as the baseline of the next observation, whatever came before:
   * for the first load, which has no earlier observation to compare with.
   *
   * @throws IOException when the file cannot be read, or changed while it was read
   */
  synchronized Snapshot read() throws IOException {
    Snapshot s = snapshot();
    if (s == null) {
      throw new IOException(file + " changed while it was read");
    }
    previous = s;
    return s;
  }

  /** Reads the file and compares it with the previous observation. */
  synchronized Observation observe() {
    Snapshot now;
    try {
      now = snapshot();
    } catch (IOException e) {
      previous = null;
      return new Unreadable(describe(e));
    }
    if (now == null) {
      previous = null;
      return new Settling();
    }
    boolean quietLongEnough = !now.modified().toInstant().isAfter(clock.instant().minus(quiet));
    boolean stable = now.sameFileAs(previous) && quietLongEnough;
    previous = now;
    return stable ? new Stable(now) : new Settling();
  }

  /**
   * The largest config file read: four times what a ConfigMap can hold, so a file that has grown
   * out of all proportion (a wrong path, a runaway writer) is refused, never read into the heap.
   */
  static final long MAX_BYTES = 4L * 1024 * 1024;

  /** The file is larger than {@link #MAX_BYTES}. */
  static final class TooLargeException extends IOException {
    TooLargeException(Path file, long size) {
      super(file + " holds " + size + " bytes, more than the " + MAX_BYTES + " a config may");
    }
  }

  /** The file as read now, or null when its size or time changed during the read. */
  private Snapshot snapshot() throws IOException {
    BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
    if (before.size() > MAX_BYTES) {
      throw new TooLargeException(file, before.size());
    }
    byte[] content = Files.readAllBytes(file);
    BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
    if (before.size() != after.size()
        || !before.lastModifiedTime().equals(after.lastModifiedTime())
        || content.length != after.size()) {
      return null;
    }
    return new Snapshot(after.size(), after.lastModifiedTime(), sha256(content), content);
  }

  private String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return file + " does not exist (or a symlink on its path points nowhere)";
    }
    if (e instanceof TooLargeException) {
      return e.getMessage();
    }
    return file + " cannot be read (" + e.getClass().getSimpleName() + ")";
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
