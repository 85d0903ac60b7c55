package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real sidecar process whose port is taken exits non-zero and says which address and why. */
class BindFailureTest {

  @TempDir Path dir;

  record Exit(int status, String output) {}

  Exit run(String... portArgs) throws Exception {
    Path config = dir.resolve("router.yaml");
    Files.writeString(
        config,
        """
        sidecar: {managementHost: 127.0.0.1}
        backends:
          - {name: local, provider: vllm, baseUrl: "http://127.0.0.1:9/v1", model: llama}
        routes:
          - {name: main, targets: [{backend: local}]}
        """);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                RouterMain.class.getName(),
                "--config",
                config.toString()));
    command.addAll(List.of(portArgs));
    Path output = dir.resolve("output.log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the process exited").isTrue();
      return new Exit(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  static ServerSocket taken() throws IOException {
    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  @Test
  void anApiPortInUseExitsNonZeroNamingTheAddressAndTheCause() throws Exception {
    try (ServerSocket busy = taken()) {
      Exit exit = run("--port", String.valueOf(busy.getLocalPort()), "--management-port", "0");

      assertThat(exit.status()).as(exit.output()).isEqualTo(RouterMain.EXIT_CANNOT_LISTEN);
      assertThat(exit.output())
          .contains(
              "router-sidecar: cannot listen on 127.0.0.1:"
                  + busy.getLocalPort()
                  + ": BindException")
          .contains("in use")
          .doesNotContain("router listening");
    }
  }

  @Test
  void aManagementPortInUseExitsNonZeroToo() throws Exception {
    try (ServerSocket busy = taken()) {
      Exit exit = run("--port", "0", "--management-port", String.valueOf(busy.getLocalPort()));

      assertThat(exit.status()).as(exit.output()).isEqualTo(RouterMain.EXIT_CANNOT_LISTEN);
      assertThat(exit.output())
          .contains("cannot listen on 127.0.0.1:" + busy.getLocalPort())
          .doesNotContain("router listening");
    }
  }
}
