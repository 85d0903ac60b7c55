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
    // slf4j-simple reads its level once, when the first logger is made: set it before that.
    String level =
        System.getenv().getOrDefault("LOG_LEVEL", "info").toLowerCase(java.util.Locale.ROOT);
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
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
