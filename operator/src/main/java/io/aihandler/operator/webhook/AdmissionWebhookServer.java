package io.aihandler.operator.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.aihandler.operator.tls.RotatingKeyManager;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.webhook.admission.AdmissionController;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS endpoint the API server calls: {@code POST /mutate-pods} (sidecar injection) and {@code
 * POST /validate-workflows}. Every operator replica serves it, leader or not. Admission traffic is
 * light and latency-bound by the API server's timeout, so the JDK's server on virtual threads is
 * enough; TLS comes from a {@link RotatingKeyManager}, so renewed certificates are served without a
 * restart.
 */
public final class AdmissionWebhookServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionWebhookServer.class);

  /** Admission requests carry one object; Kubernetes caps objects at about 1.5 MiB. */
  static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

  private final HttpsServer server;
  private final AdmissionMetrics metrics;

  public AdmissionWebhookServer(
      InetSocketAddress address,
      RotatingKeyManager keyManager,
      Map<String, AdmissionController<?>> controllers)
      throws IOException {
    this(address, keyManager, controllers, new AdmissionMetrics(new CompositeMeterRegistry()));
  }

  /**
   * @param controllers the webhooks by the path they are served on
   * @param metrics counts every review by webhook and result
   */
  public AdmissionWebhookServer(
      InetSocketAddress address,
      RotatingKeyManager keyManager,
      Map<String, AdmissionController<?>> controllers,
      AdmissionMetrics metrics)
      throws IOException {
    this.server = HttpsServer.create(address, 0);
    this.metrics = metrics;
    server.setHttpsConfigurator(new HttpsConfigurator(sslContext(keyManager)));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    controllers.forEach(
        (path, controller) ->
            server.createContext(path, exchange -> admit(exchange, path, controller)));
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok"));
  }

  /** Serves another endpoint on the same HTTPS listener (before {@link #start()}). */
  public void serve(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  public void start() {
    server.start();
    LOG.info("Admission webhooks listening on {}", server.getAddress());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(1);
  }

  private void admit(HttpExchange exchange, String path, AdmissionController<?> controller)
      throws IOException {
    AdmissionMetrics.Result result = AdmissionMetrics.Result.ERROR;
    try {
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "text/plain", "admission reviews are POSTed");
        return;
      }
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(MAX_BODY_BYTES + 1);
      }
      if (body.length > MAX_BODY_BYTES) {
        respond(
            exchange,
            413,
            "text/plain",
            "admission review larger than " + MAX_BODY_BYTES + " bytes");
        return;
      }
      AdmissionReview review;
      try {
        review =
            Serialization.unmarshal(
                new String(body, StandardCharsets.UTF_8), AdmissionReview.class);
      } catch (RuntimeException e) {
        respond(
            exchange, 400, "text/plain", "not an AdmissionReview: " + e.getClass().getSimpleName());
        return;
      }
      if (review == null || review.getRequest() == null) {
        respond(exchange, 400, "text/plain", "AdmissionReview without a request");
        return;
      }
      AdmissionReview answer = controller.handle(review);
      result = AdmissionMetrics.resultOf(path, answer.getResponse());
      answer.setApiVersion(
          review.getApiVersion() == null ? "admission.k8s.io/v1" : review.getApiVersion());
      answer.setKind("AdmissionReview");
      respond(exchange, 200, "application/json", Serialization.asJson(answer));
    } catch (RuntimeException e) {
      // The API server applies the webhook's failurePolicy; say what broke, not the object.
      LOG.error("Admission failed on {}: {}", exchange.getRequestURI().getPath(), e.toString());
      respond(exchange, 500, "text/plain", "admission failed: " + e.getClass().getSimpleName());
    } finally {
      metrics.record(path, result);
      exchange.close();
    }
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static SSLContext sslContext(RotatingKeyManager keyManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keyManager}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for the admission webhooks", e);
    }
  }
}
