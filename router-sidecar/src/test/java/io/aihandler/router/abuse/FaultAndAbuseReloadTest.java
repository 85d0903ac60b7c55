package io.aihandler.router.abuse;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Config and credential files that go wrong: a document that would cost too much memory, an empty
 * key file, a port already taken, a ConfigMap's {@code ..data} symlink pointing nowhere. The
 * class's config is mounted the way Kubernetes mounts a ConfigMap: {@code router.yaml ->
 * ..data/router.yaml}, {@code ..data -> ..v1}.
 */
class FaultAndAbuseReloadTest extends FaultAndAbuseBase {

  private static final String FAILED_RELOADS =
      "aihandler_config_reloads_total{file=\"config\",outcome=\"failure\"}";
  private static final String UNREADABLE = "aihandler_config_unreadable_total{file=\"config\"}";

  private Path mount;

  @Override
  protected RouterYaml config() {
    return standard();
  }

  @Override
  protected Path placeConfig(String yaml) throws Exception {
    mount = Files.createDirectories(dir.resolve("mount"));
    Path v1 = Files.createDirectories(mount.resolve("..v1"));
    Files.writeString(v1.resolve("router.yaml"), yaml);
    Files.createSymbolicLink(mount.resolve("..data"), Path.of("..v1"));
    Path file = mount.resolve("router.yaml");
    Files.createSymbolicLink(file, Path.of("..data/router.yaml"));
    return file;
  }

  private RouterYaml wideWindow() {
    return standard()
        .backend(
            "{name: third, provider: vllm, baseUrl: \""
                + inside.baseUrl()
                + "\", model: llama-3.3-70b}")
        .route(
            "{name: wide, circuitBreaker: {windowSize: 100000}, targets: [{backend: inside},"
                + " {backend: outside}, {backend: third}]}");
  }

  @Test
  void hugeCircuitBreakerWindow_isRefusedAtStart() throws Exception {
    Path config = dir.resolve("wide.yaml");
    Files.writeString(config, wideWindow().toString());
    try (SidecarProcess p =
        SidecarProcess.launch(config, List.of("--port", "0", "--management-port", "0"))) {
      Poll.until(Duration.ofSeconds(20), () -> !p.alive() || p.port() > 0);
      Optional<Integer> exit = p.awaitExit(Duration.ofSeconds(1));
      expect(
          exit.isPresent() && exit.get() != 0,
          "the sidecar started with circuitBreaker.windowSize 100000 (exit "
              + exit
              + "): "
              + p.tail(3));
      expect(
          String.join("\n", p.log()).contains("windowSize"),
          "the refusal does not name windowSize: " + p.tail(5));
    }
  }

  @Test
  void hugeCircuitBreakerWindow_isRefusedOnReload_andALaterGoodEditApplies() throws Exception {
    String good = Files.readString(configFile);
    String before = configSha256();
    double failures = metric(metrics(), FAILED_RELOADS);
    Files.writeString(configFile, wideWindow().toString());
    boolean refused =
        Poll.until(
            Duration.ofSeconds(6),
            () -> {
              try {
                return metric(metrics(), FAILED_RELOADS) > failures;
              } catch (Exception e) {
                return false;
              }
            });
    String after = configSha256();
    expect(
        refused && after.equals(before),
        "the reload was not refused: failed reloads "
            + failures
            + " -> "
            + metric(metrics(), FAILED_RELOADS)
            + ", configSha256 "
            + before
            + " -> "
            + after);
    expect(applyConfig(good + "# a later good edit\n"), "a later good edit was not applied");
  }

  @Test
  void emptyKeyFile_backendReportedUnavailable_andNothingUnauthorisedIsSent() throws Exception {
    String original = Files.readString(configFile);
    Path key = Files.writeString(dir.resolve("empty-key"), "");
    String withKey =
        standard()
            .backend(
                "{name: keyed, provider: openai, baseUrl: \""
                    + outside.baseUrl()
                    + "\", model: gpt-4o,"
                    + " credentials: {file: \""
                    + key
                    + "\"}}")
            .route("{name: keyed, maxAttempts: 1, targets: [{backend: keyed}]}")
            .toString();
    try {
      expect(applyConfig(withKey), "the config with the empty key file was not applied");
      String entry = readyz().path("backends").path("keyed").toString();
      expect(
          entry.contains("\"credentials\":\"missing\""),
          "/readyz does not report backend keyed unavailable: " + entry);
      Http.Response r = http.chat(sidecar.port(), "keyed", "hello");
      List<RecordingBackend.Seen> unauthorised =
          outside.seen().stream()
              .filter(
                  s ->
                      s.authorization() == null
                          || s.authorization().strip().equalsIgnoreCase("bearer"))
              .toList();
      expect(
          unauthorised.isEmpty(),
          unauthorised.size()
              + " requests without a key reached the provider"
              + " (client saw "
              + r
              + ")");
    } finally {
      expect(applyConfig(original), "the original config was not applied again");
    }
  }

  @Test
  void portAlreadyInUse_exitsNonZeroNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        SidecarProcess p =
            SidecarProcess.launch(
                configFile,
                List.of(
                    "--port", String.valueOf(taken.getLocalPort()), "--management-port", "0"))) {
      Poll.until(Duration.ofSeconds(20), () -> !p.alive() || p.port() > 0);
      Optional<Integer> exit = p.awaitExit(Duration.ofSeconds(2));
      expect(
          exit.isPresent() && exit.get() != 0,
          "with port "
              + taken.getLocalPort()
              + " taken the process "
              + (exit.isPresent() ? "exited " + exit.get() : "still runs")
              + ": "
              + p.tail(3));
      // The last lines may still be on their way through the pipe when the exit is seen.
      Poll.until(
          Duration.ofSeconds(3),
          () -> String.join("\n", p.log()).contains(String.valueOf(taken.getLocalPort())));
      expect(
          String.join("\n", p.log()).contains(String.valueOf(taken.getLocalPort())),
          "the error does not name port " + taken.getLocalPort() + ": " + p.tail(5));
    }
  }

  @Test
  void dataSymlinkPointingNowhere_isCounted_andTheLastGoodConfigKept() throws Exception {
    String before = configSha256();
    double failures = metric(metrics(), UNREADABLE);
    swapData("..missing");
    try {
      boolean counted =
          Poll.until(
              Duration.ofSeconds(6),
              () -> {
                try {
                  return metric(metrics(), UNREADABLE) > failures;
                } catch (Exception e) {
                  return false;
                }
              });
      expect(
          counted,
          "a config target that does not exist is not counted in /metrics ("
              + UNREADABLE
              + " stayed "
              + failures
              + ")");
      expect(configSha256().equals(before), "the last good config was not kept");
      Http.Response r = http.chat(sidecar.port(), "main", "hello");
      expect(r.status() == 200, "with the config target missing a request got " + r);
    } finally {
      swapData("..v1");
    }
  }

  /** Points {@code ..data} elsewhere in one rename, as the kubelet does. */
  private void swapData(String target) throws Exception {
    Path tmp = mount.resolve("..data_tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, Path.of(target));
    Files.move(
        tmp,
        mount.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
