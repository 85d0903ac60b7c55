package io.aihandler.router.testing;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An OTLP/HTTP traces endpoint on a loopback port: decodes each export with the OpenTelemetry proto
 * classes, as a collector would, and keeps the spans with their resource. It can be told to fail
 * every export (an HTTP 503), to see that the sidecar's answers do not depend on it.
 */
public final class OtlpReceiver implements AutoCloseable {

  /** A received span with the resource it came with. */
  public record Received(Span span, Resource resource) {

    public String name() {
      return span.getName();
    }

    public String traceId() {
      return hex(span.getTraceId());
    }

    public String spanId() {
      return hex(span.getSpanId());
    }

    public String parentSpanId() {
      return hex(span.getParentSpanId());
    }

    public Span.SpanKind kind() {
      return span.getKind();
    }

    /** The span's attributes, each as its Java value (String, Long, Double, Boolean, List). */
    public Map<String, Object> attributes() {
      return span.getAttributesList().stream()
          .collect(Collectors.toMap(KeyValue::getKey, kv -> value(kv.getValue())));
    }

    public Object attribute(String key) {
      return attributes().get(key);
    }

    public String resourceAttribute(String key) {
      return resource.getAttributesList().stream()
          .filter(kv -> kv.getKey().equals(key))
          .map(kv -> kv.getValue().getStringValue())
          .findFirst()
          .orElse(null);
    }
  }

  private final HttpServer server;
  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private final AtomicInteger exports = new AtomicInteger();
  private volatile boolean failing;

  public OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            exports.incrementAndGet();
            if (failing) {
              exchange.sendResponseHeaders(503, -1);
              return;
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            for (ResourceSpans rs : request.getResourceSpansList()) {
              for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                  spans.add(new Received(s, rs.getResource()));
                }
              }
            }
            byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("content-type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(ok);
            }
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  /** The URL to put in {@code sidecar.tracing.otlpEndpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
  }

  /** Answers every export with 503 from now on (or again with 200). */
  public void failing(boolean failing) {
    this.failing = failing;
  }

  /** How many export calls arrived, failed ones included. */
  public int exports() {
    return exports.get();
  }

  public List<Received> spans() {
    return List.copyOf(spans);
  }

  /** Waits (up to 10s: the exporter sends every second) until {@code n} spans match. */
  public List<Received> await(int n, Predicate<Received> match) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    List<Received> found = new ArrayList<>();
    while (System.nanoTime() < end) {
      found = spans.stream().filter(match).toList();
      if (found.size() >= n) {
        return found;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "expected "
            + n
            + " spans, received "
            + found.size()
            + ": "
            + spans().stream().map(Received::name).toList());
  }

  /** Waits for {@code n} spans of one trace. */
  public List<Received> awaitTrace(String traceId, int n) throws InterruptedException {
    return await(n, r -> r.traceId().equals(traceId));
  }

  @Override
  public void close() {
    server.stop(0);
  }

  static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  private static Object value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> v.getIntValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case BOOL_VALUE -> v.getBoolValue();
      case ARRAY_VALUE ->
          v.getArrayValue().getValuesList().stream().map(OtlpReceiver::value).toList();
      default -> v.toString();
    };
  }
}
