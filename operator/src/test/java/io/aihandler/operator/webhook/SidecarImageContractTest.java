package io.aihandler.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.workflow.WorkflowObjectNames;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the injected container's arguments rely on in the sidecar image, and that the image runs the
 * JVM flags the benchmarks measure: the launcher's ({@code router-sidecar/bin/router-sidecar}).
 */
class SidecarImageContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path repository() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("router-sidecar/Dockerfile"))) {
        return p;
      }
    }
    throw new IllegalStateException("router-sidecar/Dockerfile not found above the module");
  }

  /** The JSON array of a Dockerfile instruction, its continuation lines joined. */
  private static List<String> instruction(String dockerfile, String name) throws IOException {
    Matcher m =
        Pattern.compile("(?ms)^" + name + " (\\[.*?\\])\\s*$")
            .matcher(dockerfile.replace("\\\n", ""));
    assertThat(m.find()).as("%s in the Dockerfile", name).isTrue();
    return JSON.readValue(m.group(1), new TypeReference<List<String>>() {});
  }

  /** The flags the launcher adds in one of its ROUTER_SIDECAR_JIT modes. */
  private static List<String> jitFlags(String script, String mode) {
    Matcher m = Pattern.compile(mode + "\\) flags\\+=\\(([^)]*)\\)").matcher(script);
    assertThat(m.find()).as("the launcher's %s mode", mode).isTrue();
    return List.of(m.group(1).strip().split("\\s+"));
  }

  /** The flags the launcher passes in its default ("quick") mode, before its class archive. */
  private static List<String> launcherFlags(String script) {
    List<String> flags = new ArrayList<>();
    Matcher block = Pattern.compile("(?ms)^flags=\\((.*?)^\\)").matcher(script);
    assertThat(block.find()).isTrue();
    for (String line : block.group(1).split("\n")) {
      String code = line.strip();
      if (!code.startsWith("#")) {
        flags.addAll(List.of(code.split("\\s+")).stream().filter(f -> f.startsWith("-X")).toList());
      }
    }
    flags.addAll(jitFlags(script, "quick"));
    return flags;
  }

  @Test
  void theImageRunsTheLaunchersFlagsWithTheHeapInItsArguments() throws IOException {
    Path root = repository();
    String dockerfile = Files.readString(root.resolve("router-sidecar/Dockerfile"));
    String launcher = Files.readString(root.resolve("router-sidecar/bin/router-sidecar"));
    List<String> entrypoint = instruction(dockerfile, "ENTRYPOINT");
    List<String> cmd = instruction(dockerfile, "CMD");

    List<String> launcherWithoutHeap =
        launcherFlags(launcher).stream().filter(f -> !f.startsWith("-Xmx")).toList();
    assertThat(launcherWithoutHeap).contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint).containsAll(launcherWithoutHeap);
    assertThat(entrypoint).noneMatch(f -> f.startsWith("-Xmx") || f.equals("-jar"));
    assertThat(entrypoint).noneMatch(f -> f.contains("RAMPercentage"));
    assertThat(launcherFlags(launcher)).contains("-Xmx32m");
    assertThat(cmd)
        .containsExactly(
            "-Xmx32m",
            "-jar",
            PodSidecarInjector.SIDECAR_JAR,
            "--config",
            WorkflowObjectNames.configFile());
    assertThat(dockerfile).contains("ENV MALLOC_ARENA_MAX=2");
  }

  @Test
  void c2IsTheLaunchersFullModeOverTheEntrypointsC1Only() throws IOException {
    String launcher = Files.readString(repository().resolve("router-sidecar/bin/router-sidecar"));
    Workflow full =
        Serialization.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: Workflow
            metadata: {name: busy, namespace: support}
            spec:
              policyRef: {name: routing}
              tasks: [{name: classify, route: main}]
              sidecar: {jit: full}
            """,
            Workflow.class);
    List<String> args =
        PodSidecarInjector.args(
            full, SidecarMemory.of(full, SidecarInjectionSettings.standardResources()));

    // HotSpot takes the last of two settings of one flag: the arguments come after the entrypoint.
    assertThat(args).startsWith("-XX:TieredStopAtLevel=4");
    assertThat(args).containsAll(jitFlags(launcher, "full"));
    String dockerfile = Files.readString(repository().resolve("router-sidecar/Dockerfile"));
    List<String> jvm = new ArrayList<>();
    instruction(dockerfile, "ENTRYPOINT").stream()
        .skip(1) // java
        .filter(f -> !f.startsWith("-XX:SharedArchiveFile")) // the image's archive is not here
        .forEach(jvm::add);
    args.stream().takeWhile(a -> !a.equals("-jar")).forEach(jvm::add);
    assertThat(finalFlags(jvm))
        .containsEntry("TieredStopAtLevel", "4")
        .containsEntry("CICompilerCount", "2")
        .containsEntry("UseSerialGC", "true")
        .containsEntry("MaxHeapSize", String.valueOf(32L * 1024 * 1024));
    assertThat(args)
        .endsWith(
            "-jar", PodSidecarInjector.SIDECAR_JAR, "--config", WorkflowObjectNames.configFile());
  }

  /** What a JVM of this test's JDK makes of these flags, in the order given. */
  private static java.util.Map<String, String> finalFlags(List<String> flags) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out =
        new String(jvm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    java.util.Map<String, String> values = new java.util.HashMap<>();
    Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)").matcher(out);
    while (m.find()) {
      values.put(m.group(1), m.group(2));
    }
    assertThat(values).as("flags printed by %s:%n%s", command, out).isNotEmpty();
    return values;
  }
}
