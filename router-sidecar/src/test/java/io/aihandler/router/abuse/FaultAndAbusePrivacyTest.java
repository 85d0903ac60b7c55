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
 * class, and a config rewritten slowly in place: none of it may reach the external stand-in. Route
 * {@code mixed} tries the external backend first, so anything not recognised as restricted goes
 * there.
 */
class FaultAndAbusePrivacyTest extends FaultAndAbuseBase {

  private static final String EMAIL = "jane.doe@example.com";
  private static final String CARD = "4111 1111 1111 1111";
  private static final String PHONE = "+1 415 555 2671";
  private static final String IBAN = "DE89 3704 0044 0532 0130 00";

  @Override
  protected RouterYaml config() {
    String caps = "capabilities: {chat: false, embeddings: {dimensions: 8, vectorSpace: shared}}";
    return standard()
        .defaultDataClass("public")
        .backend(
            "{name: outside-embed, provider: openai-compatible, locality: external, baseUrl: \""
                + outside.baseUrl()
                + "\", model: te3, "
                + caps
                + "}")
        .backend(
            "{name: inside-embed, provider: vllm, baseUrl: \""
                + inside.baseUrl()
                + "\", model: te3, "
                + caps
                + "}")
        .route(
            "{name: embed-mixed, maxAttempts: 3, targets: [{backend: outside-embed, priority: 0},"
                + " {backend: inside-embed, priority: 1}]}");
  }

  /** Forty inputs to route {@code embed-mixed}, the 37th saying {@code content}. */
  private static String batch(String content) {
    StringBuilder b = new StringBuilder("{\"model\":\"embed-mixed\",\"input\":[");
    for (int i = 0; i < 40; i++) {
      String text = i == 36 ? content : "paragraph " + i + " of the handbook";
      b.append(i == 0 ? "" : ",").append(JSON.valueToTree(text).toString());
    }
    return b.append("]}").toString();
  }

  static Stream<Arguments> embeddingPlacements() {
    List<Arguments> cases = new ArrayList<>();
    cases.add(Arguments.of("email in input[36]", batch("write to " + EMAIL)));
    cases.add(Arguments.of("SSN without hyphens in input[36]", batch("SSN 536228741")));
    cases.add(
        Arguments.of("full-width card digits in input[36]", batch("card ４１１１ １１１１ １１１１ １１１１")));
    cases.add(
        Arguments.of(
            "zero-width characters inside an email in input[36]",
            batch("write to jane\u200b.doe\u200c@exa\u200dmple.com")));
    String[][] separators = {{"NBSP", "\u00a0"}, {"tab", "\t"}, {"'.'", "."}, {"'/'", "/"}};
    for (String[] sep : separators) {
      cases.add(
          Arguments.of(
              "card with " + sep[0] + " separators in input[36]",
              batch("card " + CARD.replace(" ", sep[1]))));
      cases.add(
          Arguments.of(
              "IBAN with " + sep[0] + " separators in input[36]",
              batch("pay to " + IBAN.replace(" ", sep[1]))));
    }
    cases.add(
        Arguments.of(
            "email in the only string input",
            "{\"model\":\"embed-mixed\",\"input\":\"mail " + EMAIL + "\"}"));
    cases.add(
        Arguments.of(
            "token ids (unscannable)",
            "{\"model\":\"embed-mixed\",\"input\":[[1820,374,264],[9907,1917]]}"));
    cases.add(
        Arguments.of(
            "one token array (unscannable)",
            "{\"model\":\"embed-mixed\",\"input\":[1820,374,264]}"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("embeddingPlacements")
  void restrictedEmbeddingBatchesReachOnlyTheInClusterBackend(String placement, String body)
      throws Exception {
    Http.Response r = http.post(sidecar.port(), "/v1/embeddings", body);
    if (outside.count() > 0) {
      expect(
          false,
          placement
              + " reached the external backend: "
              + Text.clip(outside.seen().get(0).body(), 300)
              + " (client saw "
              + r
              + ")");
    }
    expect(
        r.status() == 200 && inside.count() == 1,
        "expected the in-cluster backend to embed it, saw "
            + r
            + " and "
            + inside.count()
            + " requests inside");
  }

  @Test
  void publicEmbeddingBatch_goesOutside_control() throws Exception {
    Http.Response r = http.post(sidecar.port(), "/v1/embeddings", batch("nothing special"));
    expect(
        r.status() == 200 && outside.count() == 1 && inside.count() == 0,
        "a public batch should go to the first, external target: " + r);
  }

  @Test
  void restrictedEmbeddingBatch_whoseInClusterBackendFails_neverFallsBackOutside()
      throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    inside.respondWith(
        request ->
            calls.incrementAndGet() <= 2
                ? io.aihandler.router.testing.OpenAiFixtures.vllmError(
                    500, "InternalServerError", "CUDA error")
                : io.aihandler.router.testing.OpenAiFixtures.ok(
                    io.aihandler.router.testing.EmbeddingFixtures.vllm(
                        2, 40, 8, true, "bge-m3", 40)));
    Http.Response r = http.post(sidecar.port(), "/v1/embeddings", batch("write to " + EMAIL));
    inside.respondNormally();
    expect(
        outside.count() == 0,
        "the restricted batch reached the external backend after a failure (" + r + ")");
    expect(
        r.status() == 200 && inside.count() == 3,
        "expected two failures and a success in the cluster, saw "
            + r
            + " after "
            + inside.count()
            + " requests");
  }

  static Stream<Arguments> placements() {
    List<Arguments> cases = new ArrayList<>();
    // The plain spellings, which the detectors are known to catch: they show the set-up is sound.
    cases.add(text("plain email (control)", "write to " + EMAIL));
    cases.add(text("plain card (control)", "card " + CARD));
    cases.add(text("plain phone (control)", "call " + PHONE));
    cases.add(text("plain IBAN (control)", "pay to " + IBAN));
    cases.add(text("hyphenated SSN (control)", "SSN 536-22-8741"));
    cases.add(
        Arguments.of(
            "email as a property name in a tool's JSON Schema",
            "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":\"look it up\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\""
                + EMAIL
                + "\":{\"type\":\"string\"}}}}}]}"));
    cases.add(
        Arguments.of(
            "email under messages[0].model",
            "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"model\":\""
                + EMAIL
                + "\"}]}"));
    cases.add(
        Arguments.of(
            "email under metadata.model",
            "{\"model\":\"mixed\",\"metadata\":{\"model\":\""
                + EMAIL
                + "\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    cases.add(
        Arguments.of(
            "\\u-escaped email in tool_calls[].function.arguments",
            "{\"model\":\"mixed\",\"messages\":[{\"role\":\"user\",\"content\":\"mail her\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"send\",\"arguments\":\"{\\\"to\\\":\\\"jane.doe\\\\u0040example.com\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sent\"}]}"));
    String[][] separators = {
      {"NBSP", "\u00a0"}, {"tab", "\t"}, {"'.'", "."}, {"'/'", "/"}, {"double space", "  "}
    };
    for (String[] sep : separators) {
      cases.add(text("card with " + sep[0] + " separators", "card " + CARD.replace(" ", sep[1])));
      cases.add(text("phone with " + sep[0] + " separators", "call " + PHONE.replace(" ", sep[1])));
      cases.add(text("IBAN with " + sep[0] + " separators", "pay to " + IBAN.replace(" ", sep[1])));
    }
    cases.add(text("full-width card digits", "card ４１１１ １１１１ １１１１ １１１１"));
    cases.add(text("full-width @ (U+FF20)", "write to jane.doe\uff20example.com"));
    cases.add(
        text(
            "zero-width characters inside an email",
            "write to jane\u200b.doe\u200c@exa\u200dmple.com"));
    cases.add(text("SSN without hyphens", "SSN 536228741"));
    cases.add(text("lowercase IBAN", "pay to de89370400440532013000"));
    cases.add(
        Arguments.of(
            "image_url data URL content part (unscannable)",
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
  void restrictedDataReachesOnlyTheInClusterBackend(String placement, String body)
      throws Exception {
    Http.Response r = http.post(sidecar.port(), "/v1/chat/completions", body);
    if (outside.count() > 0) {
      expect(
          false,
          placement
              + " reached the external backend: "
              + Text.clip(outside.seen().get(0).body(), 300)
              + " (client saw "
              + r
              + ")");
    }
    boolean servedInside = r.status() == 200 && inside.count() > 0;
    boolean refused =
        r.status() >= 400 && r.status() < 500 && Envelope.parse(r.body()).wellFormed();
    expect(
        servedInside || refused,
        "expected the in-cluster backend to serve it (or a 4xx envelope), saw " + r);
  }

  @Test
  void publicHeaderOnARestrictedByDefaultRequest_doesNotWidenIt() throws Exception {
    String original = java.nio.file.Files.readString(configFile);
    expect(
        applyConfig(standard().defaultDataClass("restricted").toString()),
        "the config with defaultDataClass restricted was not applied");
    try {
      Http.Response r =
          http.chat(sidecar.port(), "mixed", "nothing special", "X-AIHandler-Data-Class", "public");
      expect(
          outside.count() == 0,
          "the header widened restricted to public: the external backend got it (" + r + ")");
    } finally {
      expect(applyConfig(original), "the original config was not applied again");
    }
  }

  @Test
  void twoClassHeaders_publicThenRestricted_restrictedApplies() throws Exception {
    Http.Response r =
        http.chat(
            sidecar.port(),
            "mixed",
            "nothing special",
            "X-AIHandler-Data-Class",
            "public",
            "X-AIHandler-Data-Class",
            "restricted");
    expect(
        outside.count() == 0,
        "the second header was ignored: the external backend got it (" + r + ")");
  }

  @Test
  void configRewrittenSlowlyInPlace_piiNeverReachesTheExternalBackend() throws Exception {
    String original = java.nio.file.Files.readString(configFile);
    RouterYaml next = standard().defaultDataClass("public").sidecar("logLevel: info");
    String head = next.head();
    String tail = next.tail();
    Thread prober =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    try {
                      http.chat(sidecar.port(), "mixed", "mail " + EMAIL);
                      Thread.sleep(50);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    try (FileChannel ch =
        FileChannel.open(
            configFile, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
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
    expect(
        leaked.isEmpty(),
        leaked.size()
            + " requests with the e-mail address reached the external"
            + " backend while the config was half written");
    expect(applyConfig(original), "the original config was not applied again");
  }
}
