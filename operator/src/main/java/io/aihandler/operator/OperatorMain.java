package io.aihandler.operator;

import io.aihandler.operator.tls.ExtraTrustedCertificates;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the operator container. Configuration comes from the environment. */
public final class OperatorMain {

  private OperatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    // Before the first logger is made, so every line has the chosen level and format.
    try {
      OperatorLogging.configure(
          System.getenv().getOrDefault("LOG_LEVEL", "info"),
          OperatorSettings.logFormat(System.getenv()),
          System.err);
    } catch (IllegalArgumentException e) {
      System.err.println("aihandler-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logger log = LoggerFactory.getLogger(OperatorMain.class);
    OperatorSettings settings;
    try {
      settings = OperatorSettings.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("aihandler-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    String extraCaBundle = System.getenv().getOrDefault("EXTRA_CA_BUNDLE", "");
    if (!extraCaBundle.isBlank()) {
      // The provider key checks use the JVM's default TLS context; the Kubernetes client has its
      // own.
      try {
        SSLContext.setDefault(ExtraTrustedCertificates.clientContext(Path.of(extraCaBundle)));
      } catch (IllegalArgumentException e) {
        System.err.println("aihandler-operator: " + e.getMessage());
        System.exit(2);
        return;
      }
    }
    // The HTTPS listener takes calls from every router sidecar (activations), not only from the
    // API server: a client that sends its request slowly is cut off rather than holding a thread
    // and a connection for ever. Read once by the JDK's server, so set before it starts.
    System.setProperty("sun.net.httpserver.maxReqTime", "30");
    KubernetesClient client = new KubernetesClientBuilder().build();
    AiHandlerOperator operator = AiHandlerOperator.start(client, settings, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Stopping the AI Handler operator");
                  operator.close();
                  client.close();
                  stopped.countDown();
                },
                "shutdown"));
    stopped.await();
  }
}
