package io.aihandler.router.abuse;

import io.aihandler.router.testing.OpenAiFixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The raw answers the upstream probes need, generated as they are written. */
final class UpstreamAnswers {

  static final long HUGE = 200L * 1024 * 1024;
  private static final byte[] FILLER = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);

  private UpstreamAnswers() {}

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** 200 with a 200 MB chat.completion whose content never ends. */
  static RawUpstream.Answer hugeBody() {
    return (req, out) ->
        RawUpstream.writeGenerated(
            out,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                + HUGE
                + "\r\n\r\n",
            ascii(
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\""),
            FILLER,
            HUGE);
  }

  /** 500 with a 200 MB error body. */
  static RawUpstream.Answer hugeError() {
    return (req, out) ->
        RawUpstream.writeGenerated(
            out,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: "
                + HUGE
                + "\r\n\r\n",
            ascii(
                "{\"error\":{\"type\":\"server_error\",\"code\":null,\"param\":null,\"message\":\""),
            FILLER,
            HUGE);
  }

  /** A stream whose first event is one 200 MB line. */
  static RawUpstream.Answer hugeSseLine() {
    return (req, out) ->
        RawUpstream.writeGenerated(
            out,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\nContent-Length: "
                + HUGE
                + "\r\n\r\n",
            ascii("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"x\":\""),
            FILLER,
            HUGE);
  }

  /** A stream with one normal event, then 200 MB of {@code data:} lines and no blank line. */
  static RawUpstream.Answer dataLinesWithoutEnd() {
    byte[] line = ascii("data: " + "b".repeat(1000) + "\n");
    byte[] lines = new byte[line.length * 64];
    for (int i = 0; i < 64; i++) {
      System.arraycopy(line, 0, lines, i * line.length, line.length);
    }
    String first = "data: " + OpenAiFixtures.streamEvents(List.of("x"), false).get(0) + "\n\n";
    return (req, out) ->
        RawUpstream.writeGenerated(
            out,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\nContent-Length: "
                + HUGE
                + "\r\n\r\n",
            ascii(first),
            lines,
            HUGE);
  }

  /** HTTP/1.1 200, neither Content-Length nor chunked: the stream ends when the connection does. */
  static RawUpstream.Answer closeDelimitedStream(List<String> pieces) {
    StringBuilder body = new StringBuilder();
    for (String e : OpenAiFixtures.streamEvents(pieces, true)) {
      body.append("data: ").append(e).append("\n\n");
    }
    return (req, out) -> {
      out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"));
      out.write(body.toString().getBytes(StandardCharsets.UTF_8));
    };
  }

  static RawUpstream.Answer redirect() {
    return (req, out) ->
        out.write(
            ascii(
                "HTTP/1.1 307 Temporary Redirect\r\n"
                    + "Location: http://127.0.0.1:9/v1/chat/completions\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
  }

  /** A stream that never ends: a 16 KB event every 5 ms, as long as someone reads it. */
  static RawUpstream.Answer endlessStream() {
    String event =
        "data: "
            + OpenAiFixtures.streamEvents(List.of("c".repeat(16 * 1024)), false).get(1)
            + "\n\n";
    byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
    return (req, out) -> {
      out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"));
      out.write(ascii("data: " + OpenAiFixtures.streamEvents(List.of(), false).get(0) + "\n\n"));
      while (true) {
        out.write(bytes);
        out.flush();
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    };
  }

  /** 500 for a request asking for more than a million tokens, a completion otherwise. */
  static RawUpstream.Answer failsHugeMaxTokens() {
    return (req, out) -> {
      double maxTokens = FaultAndAbuseBase.JSON.readTree(req).path("max_tokens").asDouble(0);
      String body =
          maxTokens > 1e6
              ? "{\"object\":\"error\",\"message\":\"boom\",\"type\":\"InternalServerError\",\"param\":null,\"code\":500}"
              : OpenAiFixtures.vllmCompletion("fine", "stop");
      out.write(
          ascii(
              (maxTokens > 1e6 ? "HTTP/1.1 500 Internal Server Error" : "HTTP/1.1 200 OK")
                  + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                  + body.getBytes(StandardCharsets.UTF_8).length
                  + "\r\n\r\n"));
      out.write(body.getBytes(StandardCharsets.UTF_8));
    };
  }

  /** Always 500. */
  static RawUpstream.Answer serverError() {
    return (req, out) -> {
      String body =
          "{\"object\":\"error\",\"message\":\"down\",\"type\":\"InternalServerError\",\"param\":null,\"code\":500}";
      out.write(
          ascii(
              "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                  + "Connection: close\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body));
    };
  }
}
