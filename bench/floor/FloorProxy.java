import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.DefaultDnsResolver;
import io.helidon.webclient.api.DnsAddressLookup;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The floor of the sidecar's stack: the same Helidon server and client, on the same JVM flags,
 * passing chat completions through and doing nothing else (no parsing, routing, limits, metrics or
 * translation). bench/compare.sh runs it as the variant {@code floor}: whatever the sidecar costs
 * above it is ours; what it costs itself is what any proxy on this stack pays.
 *
 * <p>With {@code -Dfloor.pool=own}, upstream connections come from a pool of its own instead of
 * Helidon's connection cache, which puts every connection it takes back into its socket idle mode
 * (a virtual thread reading one byte at a time, with a 101 ms timeout, until the next request ends
 * it): the variant that measures what that mode costs.
 *
 * <p>Reads the same router config as the sidecar: the listener's port, the first backend's base URL
 * for JSON and the third's (the benchmark's event-stream backend) for {@code "stream":true}.
 */
public final class FloorProxy {

  public static void main(String[] args) throws Exception {
    Path config = null;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--config")) {
        config = Path.of(args[i + 1]);
      }
    }
    JsonNode c = new ObjectMapper(new YAMLFactory()).readTree(config.toFile());
    System.setProperty("floor.upstream", c.path("backends").path(0).path("baseUrl").asText());
    int port = c.path("sidecar").path("port").asInt();
    // No Nagle delay on either side, as the sidecar: streamed events go out as small writes.
    SocketOptions noDelay = SocketOptions.builder().tcpNoDelay(true).build();
    Http1Client json =
        Http1Client.builder()
            .baseUri(c.path("backends").path(0).path("baseUrl").asText())
            .socketOptions(noDelay)
            .build();
    Http1Client sse =
        Http1Client.builder()
            .baseUri(c.path("backends").path(2).path("baseUrl").asText())
            .socketOptions(noDelay)
            .build();
    WebServer.builder()
        .host("127.0.0.1")
        .port(port)
        .connectionOptions(noDelay)
        .routing(
            r ->
                r.post("/v1/chat/completions", (req, res) -> relay(req, res, json, sse))
                    .get("/readyz", (req, res) -> res.send("ready")))
        .build()
        .start();
  }

  private static final boolean OWN_POOL = "own".equals(System.getProperty("floor.pool"));
  private static final ConcurrentLinkedDeque<TcpClientConnection> POOL =
      new ConcurrentLinkedDeque<>();
  private static volatile ConnectionKey key;
  private static final WebClient WEB = WebClient.create();

  /** A pooled connection that is still open, or a new one that returns to the pool when done. */
  private static ClientConnection connection() {
    for (TcpClientConnection c; (c = POOL.poll()) != null; ) {
      if (c.isConnected()) {
        return c;
      }
      c.closeResource();
    }
    if (key == null) {
      java.net.URI u = java.net.URI.create(System.getProperty("floor.upstream"));
      key =
          ConnectionKey.create(
              "http",
              u.getHost(),
              u.getPort(),
              Tls.builder().enabled(false).build(),
              DefaultDnsResolver.create(),
              DnsAddressLookup.defaultLookup(),
              Proxy.noProxy());
    }
    return TcpClientConnection.create(
            WEB,
            key,
            List.of(),
            c -> {
              POOL.offer(c);
              return true;
            },
            c -> {})
        .connect();
  }

  private static void relay(ServerRequest req, ServerResponse res, Http1Client json, Http1Client sse)
      throws Exception {
    byte[] body = req.content().as(byte[].class);
    boolean stream = new String(body, StandardCharsets.UTF_8).contains("\"stream\":true");
    Http1Client client = stream ? sse : json;
    Http1ClientRequest call = client.post("/chat/completions");
    if (OWN_POOL) {
      call.connection(connection());
    }
    try (HttpClientResponse up =
        call.header(HeaderNames.CONTENT_TYPE, "application/json").submit(body)) {
      res.status(up.status().code());
      res.header(HeaderNames.CONTENT_TYPE, stream ? "text/event-stream" : "application/json");
      if (!stream) {
        res.send(up.entity().as(byte[].class));
        return;
      }
      try (InputStream in = up.inputStream();
          OutputStream out = res.outputStream()) {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
          out.write(buf, 0, n);
          out.flush();
        }
      }
    }
  }
}
