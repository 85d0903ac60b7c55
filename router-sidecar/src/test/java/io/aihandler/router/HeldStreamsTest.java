package io.aihandler.router;

import static io.aihandler.router.HoldAndSpillOverTest.async;
import static io.aihandler.router.HoldAndSpillOverTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.aihandler.router.testing.ColdStandIns;
import io.aihandler.router.testing.Sidecar;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A held streaming request: SSE comments as keep-alives every {@code holdKeepAliveInterval} before
 * its first event, then the real events once a replica is ready; an error event when the hold runs
 * out; and a client that leaves while held frees its slot.
 */
class HeldStreamsTest {

  static final String STREAM =
      "{\"model\":\"%s\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"mail "
          + HoldAndSpillOverTest.SECRET
          + "\"}]}";

  @TempDir Path dir;
  ColdStandIns.Vllm vllm;
  ColdStandIns.Hosted hosted;
  Sidecar sidecar;
  final HttpClient http = HttpClient.newHttpClient();

  String config(String state) {
    return HoldAndSpillOverTest.config(state, vllm.baseUrl(), hosted.baseUrl(), "");
  }

  @BeforeEach
  void start() throws Exception {
    vllm = (ColdStandIns.Vllm) new ColdStandIns.Vllm().start();
    hosted = (ColdStandIns.Hosted) new ColdStandIns.Hosted().start();
    sidecar = Sidecar.start(dir, config("scaled-to-zero"));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    vllm.close();
    hosted.close();
  }

  private CompletableFuture<HttpResponse<Stream<String>>> openStream(String route) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create(sidecar.baseUrl() + "/v1/chat/completions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(STREAM.formatted(route)))
            .build(),
        HttpResponse.BodyHandlers.ofLines());
  }

  @Test
  void keepAlivesComeBeforeTheFirstEventAndTheRealEventsFollowOnceReady() throws Exception {
    HttpResponse<Stream<String>> r = openStream("main").get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> reading =
        async(
            () -> {
              r.body().forEach(lines::add);
              return null;
            });
    await("two keep-alives", () -> lines.stream().filter(": keep-alive"::equals).count() >= 2);
    assertThat(lines).noneMatch(l -> l.startsWith("data:"));

    vllm.servingOnly.set(true);
    sidecar.rewriteConfig(config("ready"));
    reading.get(10, TimeUnit.SECONDS);

    int firstData = indexOf(lines, "data:");
    assertThat(firstData).isPositive();
    assertThat(lines.subList(firstData, lines.size())).doesNotContain(": keep-alive");
    assertThat(lines.getLast()).isEmpty();
    assertThat(lines).contains("data: [DONE]");
    assertThat(String.join("\n", lines)).contains("\"content\":\"llama\"");
    assertThat(hosted.bodies).isEmpty();
  }

  @Test
  void theOpenAiSdkReadsAHeldStreamAsAnOrdinaryOne() throws Exception {
    OpenAIClient client =
        OpenAIOkHttpClient.builder()
            .baseUrl(sidecar.baseUrl() + "/v1")
            .apiKey("unused")
            .maxRetries(0)
            .build();
    try {
      CompletableFuture<String> text =
          async(
              () -> {
                StringBuilder out = new StringBuilder();
                try (StreamResponse<ChatCompletionChunk> s =
                    client
                        .chat()
                        .completions()
                        .createStreaming(
                            ChatCompletionCreateParams.builder()
                                .model("main")
                                .addUserMessage("mail " + HoldAndSpillOverTest.SECRET)
                                .build())) {
                  s.stream()
                      .forEach(
                          c ->
                              c.choices()
                                  .forEach(ch -> ch.delta().content().ifPresent(out::append)));
                }
                return out.toString();
              });
      await(
          "held",
          () -> sidecar.metrics().contains("aihandler_held_requests{backend=\"llama\"} 1.0"));
      Thread.sleep(350); // a few keep-alives reach the SDK first
      vllm.servingOnly.set(true);
      sidecar.rewriteConfig(config("ready"));

      assertThat(text.get(10, TimeUnit.SECONDS)).isEqualTo("from llama");
    } finally {
      client.close();
    }
    assertThat(hosted.received(HoldAndSpillOverTest.SECRET)).isZero();
  }

  @Test
  void aHeldStreamThatRunsOutOfTimeEndsWithAnErrorEventNamingTheBackend() throws Exception {
    HttpResponse<Stream<String>> r = openStream("strict").get(10, TimeUnit.SECONDS);
    List<String> lines = r.body().toList();

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(lines.getFirst()).isEqualTo(": keep-alive");
    int error = lines.indexOf("event: error");
    assertThat(error).isPositive();
    assertThat(lines.get(error + 1))
        .startsWith("data: {\"error\":")
        .contains("\"code\":\"cold_start_timeout\"")
        .contains("backend llama")
        .contains("scaled-to-zero");
    assertThat(lines).doesNotContain("data: [DONE]");
    assertThat(vllm.bodies).isEmpty();
    assertThat(hosted.bodies).isEmpty();
  }

  @Test
  void aClientThatDisconnectsWhileHeldFreesItsSlot() throws Exception {
    byte[] body = STREAM.formatted("main").getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.main.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.equals(": keep-alive")) {
        // the status line and headers
      }
      assertThat(line).isEqualTo(": keep-alive");
    }
    await(
        "the slot freed",
        () -> sidecar.metrics().contains("aihandler_held_requests{backend=\"llama\"} 0.0"));
    await(
        "the hold counted",
        () ->
            sidecar
                .metrics()
                .contains("aihandler_holds_total{backend=\"llama\",outcome=\"cancelled\"} 1.0"));
    // The backend coming up later is not sent the abandoned request.
    vllm.servingOnly.set(true);
    sidecar.rewriteConfig(config("ready"));
    Thread.sleep(200);
    assertThat(vllm.bodies).isEmpty();
  }

  @Test
  void aHeldResponsesStreamGetsKeepAlivesThenItsEventsInOrder() throws Exception {
    HttpResponse<Stream<String>> r =
        http.sendAsync(
                HttpRequest.newBuilder(URI.create(sidecar.baseUrl() + "/v1/responses"))
                    .header("content-type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"main\",\"stream\":true,\"store\":false,\"input\":\"mail "
                                + HoldAndSpillOverTest.SECRET
                                + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> reading =
        async(
            () -> {
              r.body().forEach(lines::add);
              return null;
            });
    await("a keep-alive", () -> lines.contains(": keep-alive"));

    vllm.servingOnly.set(true);
    sidecar.rewriteConfig(config("ready"));
    reading.get(10, TimeUnit.SECONDS);

    List<String> events = lines.stream().filter(l -> l.startsWith("event: ")).toList();
    assertThat(events.getFirst()).isEqualTo("event: response.created");
    assertThat(events).contains("event: response.completed");
    assertThat(lines.indexOf("event: response.created"))
        .isGreaterThan(lines.lastIndexOf(": keep-alive"));
    assertThat(hosted.bodies).isEmpty();
  }

  private static int indexOf(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }
}
