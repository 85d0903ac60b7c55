package io.aihandler.demo.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;

/**
 * A local stand-in of one model API on okhttp's MockWebServer: it checks the key the way the
 * provider does, answers in the provider's exact wire format, records every request it receives (so
 * the demo can prove what did and did not leave the cluster), and can be told to fail.
 */
public abstract class ProviderStandIn implements AutoCloseable {

  static final ObjectMapper MAPPER = new ObjectMapper();

  /** One request as the provider received it. Headers are not kept: they carry the key. */
  public record Received(String method, String path, String body) {}

  private final String name;
  private final MockWebServer server = new MockWebServer();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicReference<Supplier<MockResponse>> outage = new AtomicReference<>();
  private final AtomicInteger outageAnswers = new AtomicInteger();

  protected ProviderStandIn(String name) {
    this.name = name;
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return answer(request);
          }
        });
  }

  /** Starts on any free loopback port. */
  public ProviderStandIn start() {
    return start(InetAddress.getLoopbackAddress(), 0);
  }

  /** Starts on the given address and port. */
  public ProviderStandIn start(InetAddress address, int port) {
    try {
      server.start(address, port);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the " + name + " stand-in on " + address.getHostAddress() + ":" + port, e);
    }
    return this;
  }

  /** Who this stands in for, e.g. {@code Anthropic Messages API}. */
  public String name() {
    return name;
  }

  /** {@code http://host:port}, without a trailing slash. */
  public String baseUrl() {
    return "http://" + hostAndPort();
  }

  /** {@code host:port} of the listening socket. */
  public String hostAndPort() {
    return server.getSocketAddress().getAddress().getHostAddress() + ":" + server.getPort();
  }

  /** Every request received so far, oldest first. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  /** The model calls received so far (not key checks, health or metrics). */
  public List<Received> generations() {
    return received.stream().filter(r -> isGeneration(r.method(), r.path())).toList();
  }

  /** Until {@link #recover()}, every model call is answered with this (e.g. 529 overloaded). */
  public void startOutage(Supplier<MockResponse> failure) {
    outageAnswers.set(0);
    outage.set(failure);
  }

  /** Ends the outage; returns how many model calls it refused. */
  public int recover() {
    outage.set(null);
    return outageAnswers.get();
  }

  private MockResponse answer(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    String body = request.getBody() == null ? "" : request.getBody().utf8();
    received.add(new Received(request.getMethod(), path, body));
    if (!authorized(request.getHeaders())) {
      return unauthorized();
    }
    if (isGeneration(request.getMethod(), path)) {
      Supplier<MockResponse> failure = outage.get();
      if (failure != null) {
        outageAnswers.incrementAndGet();
        return failure.get();
      }
      JsonNode json;
      try {
        json = MAPPER.readTree(body);
      } catch (IOException e) {
        json = MissingNode.getInstance();
      }
      return generate(path, json == null ? MissingNode.getInstance() : json);
    }
    return other(request.getMethod(), path);
  }

  /** Whether this request is a model call. */
  protected abstract boolean isGeneration(String method, String path);

  /** Whether the request carries the key this provider expects. */
  protected abstract boolean authorized(Headers headers);

  /** The provider's answer to a missing or wrong key. */
  protected abstract MockResponse unauthorized();

  /** The provider's answer to a model call. */
  protected abstract MockResponse generate(String path, JsonNode request);

  /** Everything else: model listings, health, metrics; 404 by default. */
  protected abstract MockResponse other(String method, String path);

  static MockResponse json(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("content-type", "application/json")
        .body(body)
        .build();
  }

  static String quote(String text) {
    try {
      return MAPPER.writeValueAsString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
