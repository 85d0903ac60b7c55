package io.aihandler.router.abuse;

import io.aihandler.router.RouterMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The sidecar as a real process on loopback, with the JVM flags {@code bin/router-sidecar} ships:
 * its ports from the start-up log line, its resident memory, threads and open file descriptors from
 * {@code /proc}, and every line it writes.
 */
public final class SidecarProcess implements AutoCloseable {

  /** The launcher's flags, so memory is judged under the heap the sidecar really gets. */
  public static final List<String> SHIPPED_JVM_FLAGS =
      List.of(
          "-XX:+UseSerialGC",
          "-Xms16m",
          "-Xmx32m",
          "-XX:MaxMetaspaceSize=64m",
          "-XX:ReservedCodeCacheSize=32m",
          "-Xss512k",
          "-XX:TieredStopAtLevel=1",
          "-XX:+ExitOnOutOfMemoryError");

  private static final Pattern LISTENING =
      Pattern.compile(
          "router listening on http://[^:]+:(\\d+) \\(management on http://[^:]+:(\\d+)\\)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Thread drainer;
  private volatile int port = -1;
  private volatile int managementPort = -1;

  private SidecarProcess(Process process) {
    this.process = process;
    this.drainer = Thread.ofVirtual().start(this::drain);
  }

  /** Starts a sidecar on free ports and waits until it logs them. */
  public static SidecarProcess start(Path config) throws IOException {
    SidecarProcess p = launch(config, List.of("--port", "0", "--management-port", "0"));
    p.awaitPorts();
    return p;
  }

  /** Starts a sidecar with these arguments after {@code --config}, without waiting for anything. */
  public static SidecarProcess launch(Path config, List<String> extraArgs) throws IOException {
    return launch(config, List.of(), extraArgs);
  }

  /** Starts a sidecar on free ports with JVM flags after the shipped ones, and waits for them. */
  public static SidecarProcess startWith(Path config, List<String> jvmFlags) throws IOException {
    SidecarProcess p = launch(config, jvmFlags, List.of("--port", "0", "--management-port", "0"));
    p.awaitPorts();
    return p;
  }

  /**
   * Starts a sidecar with JVM flags after the shipped ones and these arguments after {@code
   * --config}, without waiting for anything.
   */
  public static SidecarProcess launchWith(
      Path config, List<String> jvmFlags, List<String> extraArgs) throws IOException {
    return launch(config, jvmFlags, extraArgs);
  }

  private static SidecarProcess launch(Path config, List<String> jvmFlags, List<String> extraArgs)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(SHIPPED_JVM_FLAGS);
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RouterMain.class.getName());
    cmd.add("--config");
    cmd.add(config.toString());
    cmd.addAll(extraArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("MALLOC_ARENA_MAX", "2");
    return new SidecarProcess(pb.start());
  }

  private void drain() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        log.add(line);
        if (port < 0) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            managementPort = Integer.parseInt(m.group(2));
            port = Integer.parseInt(m.group(1));
          }
        }
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }

  private void awaitPorts() {
    boolean up = Poll.until(START_TIMEOUT, () -> port > 0 || !process.isAlive());
    if (!up || port < 0) {
      String why =
          process.isAlive()
              ? "did not listen within " + START_TIMEOUT
              : "exited with code " + process.exitValue() + " before it listened";
      process.destroyForcibly();
      try {
        drainer.join(Duration.ofSeconds(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new AssertionError("the sidecar " + why + ":\n" + String.join("\n", log));
    }
  }

  public int port() {
    return port;
  }

  public int managementPort() {
    return managementPort;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Every line the process wrote so far (log and stderr). */
  public List<String> log() {
    return List.copyOf(log);
  }

  /** The lines written from this index on. */
  public List<String> logSince(int from) {
    List<String> all = log();
    return all.subList(Math.min(from, all.size()), all.size());
  }

  /** The last lines written, for a failure message. */
  public String tail(int lines) {
    List<String> all = log();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  public int logSize() {
    return log.size();
  }

  /** Waits until a line matching the pattern has been written since {@code from}. */
  public Optional<String> awaitLog(int from, Pattern pattern, Duration timeout) {
    String[] found = new String[1];
    Poll.until(
        timeout,
        () -> {
          for (String l : logSince(from)) {
            if (pattern.matcher(l).find()) {
              found[0] = l;
              return true;
            }
          }
          return false;
        });
    return Optional.ofNullable(found[0]);
  }

  /** Resident memory in KiB ({@code VmRSS}). */
  public long rssKib() {
    return statusField("VmRSS:");
  }

  /** Threads of the process, platform threads only (virtual ones are not OS threads). */
  public long threads() {
    return statusField("Threads:");
  }

  /** Open file descriptors, sockets included. */
  public long openFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid()), "fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1;
    }
  }

  public Footprint footprint() {
    return new Footprint(rssKib(), threads(), openFds());
  }

  private long statusField(String name) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
        if (l.startsWith(name)) {
          return Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Sends SIGTERM and waits; the time it took to exit, or empty if it did not within the limit. */
  public Optional<Duration> terminate(Duration limit) throws InterruptedException {
    long t0 = System.nanoTime();
    process.destroy();
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(System.nanoTime() - t0));
  }

  /** Waits for the process to exit on its own; its exit code, or empty if it still runs. */
  public Optional<Integer> awaitExit(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      return Optional.empty();
    }
    try {
      drainer.join(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.of(process.exitValue());
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
