package io.aihandler.router.abuse;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restricted data in places and spellings a detector may miss, a header that tries to widen the
 * class, and a config rewritten slowly in place: none of it may reach the external stand-in.
 * Route {@code mixed} tries the external backend first, so anything not recognised as restricted
 * goes there.
 */
class FaultAndAbusePrivacyTest extends FaultAndAbuseBase {

  private static final String EMAIL = "jane.doe@example.com";
  private static final String CARD = "4111 1111 1111 1111";
  private static final String PHONE = "+1 415 555 2671";
  private static final String IBAN = "DE89 3704 0044 0532 0130 00";

  @Override
  protected RouterYaml config() {
    return standard().defaultDataClass("public");
  }

  static Stream<Arguments> placements() {
    List<Arguments> cases = new ArrayList<>();
    // The plain spellings, which the detectors are known to catch: they show the set-up is sound.
    cases.add(text("plain email (control)", "write to " + EMAIL));
    cases.add(text("plain card (control)", "card " + CARD));
    cases.add(text("plain phone (control)", "call " + PHONE));
    cases.add(text("plain IBAN (control)", "pay to " + IBAN));
    cases.add(text("hyphenated SSN (control)", "SSN 536-22-8741"));
    cases.add(Arguments.of("email as a property name in a tool's JSON Schema",
        "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":\"look it up\"}],"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":"
            + "{\"type\":\"object\",\"properties\":{\"" + EMAIL + "\":{\"type\":\"string\"}}}}}]}"));
    cases.add(Arguments.of("email under messages[0].model",
        "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"model\":\"" + EMAIL + "\"}]}"));
    cases.add(Arguments.of("email under metadata.model",
        "{\"model\":\"mixed\",\"metadata\":{\"model\":\"" + EMAIL + "\"},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    cases.add(Arguments.of("\\u-escaped email in tool_calls[].function.arguments",
        "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":\"mail her\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"send\",\"arguments\":\"{\\\"to\\\":\\\"jane.doe\\\\u0040example.com\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sent\"}]}"));
    String[][] separators = {{"NBSP", "\u00a0"}, {"tab", "\t"}, {"'.'", "."}, {"'/'", "/"}, {"double space", "  "}};
    for (String[] sep : separators) {
      cases.add(text("card with " + sep[0] + " separators", "card " + CARD.replace(" ", sep[1])));
      cases.add(text("phone with " + sep[0] + " separators", "call " + PHONE.replace(" ", sep[1])));
      cases.add(text("IBAN with " + sep[0] + " separators", "pay to " + IBAN.replace(" ", sep[1])));
    }
    cases.add(text("full-width card digits", "card ４１１１ １１１１ １１１１ １１１１"));
    cases.add(text("full-width @ (U+FF20)", "write to jane.doe\uff20example.com"));
    cases.add(text("zero-width characters inside an email", "write to jane\u200b.doe\u200c@exa\u200dmple.com"));
    cases.add(text("SSN without hyphens", "SSN 536228741"));
    cases.add(text("lowercase IBAN", "pay to de89370400440532013000"));
    cases.add(Arguments.of("image_url data URL content part (unscannable)",
        "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is this?\"},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
            + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\"}}]}]}"));
    return cases.stream();
  }

  private static Arguments text(String name, String content) {
    return Arguments.of(name, Chat.oneMessage("mixed", content));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("placements")
  void restrictedDataReachesOnlyTheInClusterBackend(String placement, String body) throws Exception {
    Http.Response r = http.post(sidecar.port(), "/v1/chat/completions", body);
    if (outside.count() > 0) {
      expect(false, placement + " reached the external backend: "
          + Text.clip(outside.seen().get(0).body(), 300) + " (client saw " + r + ")");
    }
    boolean servedInside = r.status() == 200 && inside.count() > 0;
    boolean refused = r.status() >= 400 && r.status() < 500 && Envelope.parse(r.body()).wellFormed();
    expect(servedInside || refused,
        "expected the in-cluster backend to serve it (or a 4xx envelope), saw " + r);
  }

  @Test
  void publicHeaderOnARestrictedByDefaultRequest_doesNotWidenIt() throws Exception {
    String original = java.nio.file.Files.readString(configFile);
    expect(applyConfig(standard().defaultDataClass("restricted").toString()),
        "the config with defaultDataClass restricted was not applied");
    try {
      Http.Response r = http.chat(sidecar.port(), "mixed", "nothing special", "X-AIHandler-Data-Class", "public");
      expect(outside.count() == 0, "the header widened restricted to public: the external backend got it ("
          + r + ")");
    } finally {
      expect(applyConfig(original), "the original config was not applied again");
    }
  }

  @Test
  void twoClassHeaders_publicThenRestricted_restrictedApplies() throws Exception {
    Http.Response r = http.chat(sidecar.port(), "mixed", "nothing special",
        "X-AIHandler-Data-Class", "public", "X-AIHandler-Data-Class", "restricted");
    expect(outside.count() == 0, "the second header was ignored: the external backend got it (" + r + ")");
  }

  @Test
  void configRewrittenSlowlyInPlace_piiNeverReachesTheExternalBackend() throws Exception {
    String original = java.nio.file.Files.readString(configFile);
    RouterYaml next = standard().defaultDataClass("public").sidecar("logLevel: info");
    String head = next.head();
    String tail = next.tail();
    Thread prober = Thread.ofVirtual().start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          http.chat(sidecar.port(), "mixed", "mail " + EMAIL);
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    try (FileChannel ch = FileChannel.open(configFile, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
      // The writer is slow: the file holds only the first half (no dataClasses) for a second.
      Thread.sleep(Duration.ofSeconds(1));
      ch.write(ByteBuffer.wrap(tail.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    boolean applied = awaitConfigHash(sha256(head + tail), Duration.ofSeconds(5));
    prober.interrupt();
    prober.join();
    expect(applied, "the completed document was not applied");
    List<RecordingBackend.Seen> leaked = outside.containing(EMAIL);
    expect(leaked.isEmpty(), leaked.size() + " requests with the e-mail address reached the external"
        + " backend while the config was half written");
    expect(applyConfig(original), "the original config was not applied again");
  }

}
