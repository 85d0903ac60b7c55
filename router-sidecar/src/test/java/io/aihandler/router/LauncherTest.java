package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.OutOfMemoryInABackgroundThread;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher script's JVM flags, read by running it against a stand-in {@code java}. */
class LauncherTest {

  private static final Path LAUNCHER = Path.of("bin/router-sidecar").toAbsolutePath();

  @TempDir Path dir;

  /** The flags the launcher puts before {@code -jar}. */
  List<String> launcherFlags() throws Exception {
    return launcherFlags(null);
  }

  /** The flags the launcher puts before {@code -jar} with this {@code ROUTER_SIDECAR_JIT}. */
  List<String> launcherFlags(String jit) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("jdk/bin"));
    Path args = dir.resolve("args.txt");
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"" + args + "\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = Files.writeString(dir.resolve("router-sidecar.jar"), "");
    ProcessBuilder pb = new ProcessBuilder("bash", LAUNCHER.toString(), "--config", "router.yaml");
    pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
    pb.environment().put("ROUTER_SIDECAR_JAR", jar.toString());
    pb.environment().put("ROUTER_SIDECAR_CDS_ARCHIVE", "off");
    pb.environment().remove("JAVA_OPTS");
    if (jit == null) {
      pb.environment().remove("ROUTER_SIDECAR_JIT");
    } else {
      pb.environment().put("ROUTER_SIDECAR_JIT", jit);
    }
    Process p = pb.redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue())
        .as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    List<String> all = Files.readAllLines(args);
    return all.subList(0, all.indexOf("-jar"));
  }

  /** Runs the program that loses a thread to an OutOfMemoryError with the given JVM flags. */
  static Process outOfMemory(List<String> flags) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(flags);
    command.addAll(
        List.of(
            "-Xmx32m",
            "-cp",
            System.getProperty("java.class.path"),
            OutOfMemoryInABackgroundThread.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p;
  }

  @Test
  void theLauncherExitsTheJvmOnOutOfMemory() throws Exception {
    List<String> flags = launcherFlags();

    assertThat(flags).contains("-XX:+ExitOnOutOfMemoryError", "-Xmx32m");
    Process withLauncherFlags = outOfMemory(flags);
    String output =
        new String(withLauncherFlags.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(withLauncherFlags.exitValue()).as(output).isNotZero();
    assertThat(output).doesNotContain("survived");
  }

  @Test
  void withoutTheFlagTheSameProgramLivesOnAfterTheError() throws Exception {
    Process plain = outOfMemory(List.of());
    String output = new String(plain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(plain.exitValue()).as(output).isZero();
    assertThat(output).contains("survived").contains("OutOfMemoryError");
  }

  @Test
  void theDefaultCompilerIsC1AloneAndFullModeKeepsC2OnOneThread() throws Exception {
    assertThat(launcherFlags()).contains("-XX:TieredStopAtLevel=1");
    List<String> full = launcherFlags("full");
    assertThat(full).contains("-XX:CICompilerCount=2").doesNotContain("-XX:TieredStopAtLevel=1");
    assertThat(full).contains("-Xmx32m", "-XX:ReservedCodeCacheSize=32m");
  }
}
