package io.aihandler.router.runtime;

import io.aihandler.router.config.Activation;
import io.aihandler.router.metrics.RouterMetrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Asks the operator to bring a backend up: {@code POST <activation.url>} with {@code
 * {"modelBackend": "<namespace>/<name>"}} and the pod's projected ServiceAccount token as bearer.
 * The operator's certificate is trusted only when the configured CA signed it (no system roots),
 * the token is read from its file on every call (the kubelet rotates it), and one backend is asked
 * at most once per {@code minInterval}. One call is bounded as a whole (connecting, the answer's
 * head and its body, however slowly the body comes) by the connect timeout plus the request
 * timeout, and reads at most {@value #MAX_ANSWER_BYTES} bytes of the answer. Every call's result is
 * counted; none is ever thrown: a failed activation leaves the held request waiting for its
 * timeout, it does not fail it.
 *
 * <p>The token appears only in the request header: never in a log line, a metric or an error.
 */
public final class ActivationClient implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.activation");

  /** Connecting to the operator. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** The answer's head once connected. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The whole exchange, from connecting to the answer's last byte: the two timeouts above end to
   * end (7 s), under the 10 s default {@code minInterval}, so one call is over before the next is
   * due.
   */
  public static final Duration DEADLINE = CONNECT_TIMEOUT.plus(REQUEST_TIMEOUT);

  /** Largest token file read; projected tokens are about 1 KiB. */
  static final int MAX_TOKEN_BYTES = 16 * 1024;

  /** Most of the operator's answer read; it is a short JSON object. */
  static final int MAX_ANSWER_BYTES = 4096;

  /** The result of one call, as {@code aihandler_activations_total} labels it. */
  public enum Result {
    ACCEPTED("accepted"),
    READY("ready"),
    REFUSED("refused"),
    RATE_LIMITED("rate_limited"),
    /** No whole answer within the deadline. */
    TIMEOUT("timeout"),
    ERROR("error");

    private final String label;

    Result(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private record Client(Activation settings, HttpClient http) {}

  private final RouterMetrics metrics;
  private final LongSupplier nanoTime;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration deadline;
  private final Map<String, Long> lastCall = new ConcurrentHashMap<>();
  private volatile Client client;

  public ActivationClient(RouterMetrics metrics) {
    this(metrics, System::nanoTime, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
  }

  ActivationClient(
      RouterMetrics metrics,
      LongSupplier nanoTime,
      Duration connectTimeout,
      Duration requestTimeout) {
    this.metrics = metrics;
    this.nanoTime = nanoTime;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.deadline = connectTimeout.plus(requestTimeout);
  }

  /**
   * Asks for {@code backend} (the router config's name, for metrics and logs) whose ModelBackend is
   * {@code modelBackend}, unless it was asked within {@code minInterval}.
   *
   * @return the call's result, or null when no call was made (rate-limited here, or no settings)
   */
  public Result activate(String backend, String modelBackend, Activation settings) {
    if (settings == null || settings.url() == null || modelBackend == null) {
      return null;
    }
    if (!claim(backend, settings.minIntervalDuration())) {
      return null;
    }
    Result result = call(backend, modelBackend, settings);
    metrics.activation(backend, result.label());
    return result;
  }

  /** Whether this backend's turn to be asked has come (without taking it). */
  public boolean due(String backend, Duration minInterval) {
    Long last = lastCall.get(backend);
    return last == null || nanoTime.getAsLong() - last >= minInterval.toNanos();
  }

  /** Takes this backend's turn to be asked; false when its last turn is under minInterval old. */
  private boolean claim(String backend, Duration minInterval) {
    long now = nanoTime.getAsLong();
    boolean[] claimed = {false};
    lastCall.compute(
        backend,
        (k, last) -> {
          if (last != null && now - last < minInterval.toNanos()) {
            return last;
          }
          claimed[0] = true;
          return now;
        });
    return claimed[0];
  }

  private Result call(String backend, String modelBackend, Activation settings) {
    String token;
    try {
      token = readToken(Path.of(settings.tokenPath()));
    } catch (IOException | RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "cannot activate backend {0}: the token at {1} cannot be read ({2})",
          backend,
          settings.tokenPath(),
          e.getClass().getSimpleName());
      return Result.ERROR;
    }
    HttpClient http;
    try {
      http = client(settings);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "cannot activate backend {0}: activation.caCertificate cannot be used ({1})",
          backend,
          e.getClass().getSimpleName());
      return Result.ERROR;
    }
    String body = "{\"modelBackend\":" + jsonString(modelBackend) + "}";
    BoundedExchange.Result answer;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(settings.url()))
              .timeout(requestTimeout)
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
              .build();
      answer = BoundedExchange.send(http, request, deadline, MAX_ANSWER_BYTES);
    } catch (IllegalArgumentException e) {
      LOG.log(
          Level.WARNING,
          "activation of backend {0} ({1}) failed: {2}",
          backend,
          modelBackend,
          e.getClass().getSimpleName());
      return Result.ERROR;
    }
    return switch (answer) {
      case BoundedExchange.Answered a -> {
        Result result = of(a.status());
        LOG.log(
            result == Result.ACCEPTED || result == Result.READY ? Level.INFO : Level.WARNING,
            "activation of backend {0} ({1}): HTTP {2}, {3}",
            backend,
            modelBackend,
            String.valueOf(a.status()),
            result.label());
        yield result;
      }
      case BoundedExchange.Failed f -> {
        LOG.log(
            Level.WARNING,
            "activation of backend {0} ({1}) failed: {2}",
            backend,
            modelBackend,
            f.detail());
        yield f.failure() == BoundedExchange.Failure.TIMEOUT ? Result.TIMEOUT : Result.ERROR;
      }
    };
  }

  /** The operator's answer, by the activation API's statuses. */
  static Result of(int status) {
    return switch (status) {
      case 202 -> Result.ACCEPTED;
      case 200 -> Result.READY;
      case 429 -> Result.RATE_LIMITED;
      case 400, 401, 403, 404 -> Result.REFUSED;
      default -> Result.ERROR;
    };
  }

  /** The token file's content without surrounding whitespace; bounded, never empty. */
  static String readToken(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_TOKEN_BYTES + 1);
      if (bytes.length > MAX_TOKEN_BYTES) {
        throw new IOException("the token file is larger than " + MAX_TOKEN_BYTES + " bytes");
      }
      String token = new String(bytes, StandardCharsets.US_ASCII).strip();
      if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IOException("the token file holds no usable token");
      }
      return token;
    }
  }

  /** The HTTP client for these settings: rebuilt only when the URL or CA change. */
  private HttpClient client(Activation settings) throws GeneralSecurityException, IOException {
    Client c = client;
    if (c != null
        && c.settings().url().equals(settings.url())
        && java.util.Objects.equals(c.settings().caCertificate(), settings.caCertificate())) {
      return c.http();
    }
    synchronized (this) {
      if (client != null
          && client.settings().url().equals(settings.url())
          && java.util.Objects.equals(
              client.settings().caCertificate(), settings.caCertificate())) {
        return client.http();
      }
      HttpClient http =
          HttpClient.newBuilder()
              .connectTimeout(connectTimeout)
              .followRedirects(HttpClient.Redirect.NEVER)
              .sslContext(trusting(settings.caCertificate()))
              .build();
      Client old = client;
      client = new Client(settings, http);
      if (old != null) {
        old.http().shutdownNow();
      }
      return http;
    }
  }

  /** TLS that trusts the certificates of this PEM and nothing else. */
  static SSLContext trusting(String caPem) throws GeneralSecurityException, IOException {
    if (caPem == null || caPem.isBlank()) {
      throw new GeneralSecurityException("no CA certificate");
    }
    Collection<? extends Certificate> cas =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.UTF_8)));
    if (cas.isEmpty()) {
      throw new GeneralSecurityException("no certificate in the CA PEM");
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate ca : cas) {
      store.setCertificateEntry("ca-" + i++, ca);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return tls;
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.http().shutdownNow(); // a call under way is abandoned, not waited for
    }
  }
}
