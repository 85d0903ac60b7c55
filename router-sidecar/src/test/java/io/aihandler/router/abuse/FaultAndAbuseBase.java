package io.aihandler.router.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * One sidecar process per test class, with its stand-ins. Around every probe it checks what must
 * hold whatever the probe did: the process is alive, its resident memory stayed under {@link
 * Footprint#RSS_LIMIT_KIB}, both ports answer, a normal request succeeds, its threads and
 * descriptors come back near where they were, and it still applies a config edit. A probe that
 * kills the process fails and the next probe gets a fresh one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FaultAndAbuseBase {

  protected static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SETTLE = Duration.ofSeconds(20);
  private static final Duration RELOAD = Duration.ofSeconds(6);

  protected final Http http = new Http();
  protected Path dir;
  protected Path configFile;
  protected RecordingBackend inside;
  protected RecordingBackend outside;
  protected RawUpstream raw;
  protected SidecarProcess sidecar;
  private String probe = "?";
  private Footprint baseline;
  private PeakRss peak;
  private int reloadChecks;

  /** The document the class's sidecar starts with. */
  protected abstract RouterYaml config();

  /** The standard document over this class's stand-ins. */
  protected RouterYaml standard() {
    return new RouterYaml(inside.baseUrl(), outside.baseUrl());
  }

  /** Where the config lives; a class may lay it out differently (e.g. behind symlinks). */
  protected Path placeConfig(String yaml) throws Exception {
    Path f = dir.resolve("router.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @BeforeAll
  void startAll() throws Exception {
    dir = Files.createTempDirectory("abuse-");
    inside = RecordingBackend.inCluster();
    outside = RecordingBackend.external();
    raw = new RawUpstream();
    configFile = placeConfig(config().toString());
    startSidecar();
  }

  private void startSidecar() throws Exception {
    sidecar = SidecarProcess.start(configFile);
    for (int i = 0; i < 5; i++) {
      http.chat(sidecar.port(), "main", "warm up");
      http.get(sidecar.managementPort(), "/readyz");
    }
  }

  @BeforeEach
  void beforeProbe(TestInfo info) throws Exception {
    probe = getClass().getSimpleName() + " > " + info.getDisplayName();
    if (!sidecar.alive()) {
      sidecar.close();
      startSidecar();
    }
    inside.respondNormally();
    outside.respondNormally();
    inside.forget();
    outside.forget();
    baseline = sidecar.footprint();
    peak = new PeakRss(sidecar);
  }

  @AfterEach
  void afterProbe() throws Exception {
    peak.close();
    List<String> broken = new ArrayList<>();
    if (!sidecar.alive()) {
      Optional<Integer> code = sidecar.awaitExit(Duration.ofSeconds(2));
      throw new AssertionError(
          "["
              + probe
              + "] the sidecar process died (exit code "
              + code.orElse(-1)
              + "); its last lines:\n"
              + sidecar.tail(6));
    }
    if (peak.peakKib() >= Footprint.RSS_LIMIT_KIB) {
      broken.add("resident memory peaked at " + peak.peakKib() / 1024 + " MiB");
    }
    Http.Response api = http.get(sidecar.port(), "/healthz");
    Http.Response mgmt = http.get(sidecar.managementPort(), "/healthz");
    if (api.status() != 200 || mgmt.status() != 200) {
      broken.add("/healthz answered " + api + " (API) and " + mgmt + " (management)");
    }
    Http.Response chat = http.chat(sidecar.port(), "main", "still there?");
    if (chat.status() != 200) {
      broken.add("a normal chat request got " + chat);
    }
    Footprint[] last = {sidecar.footprint()};
    boolean settled = Poll.until(SETTLE, () -> (last[0] = sidecar.footprint()).near(baseline));
    if (!settled) {
      broken.add(
          "threads/descriptors did not come back: before " + baseline + ", after " + last[0]);
    }
    String reload = reloadProblem();
    if (reload != null) {
      broken.add(reload);
    }
    if (!broken.isEmpty()) {
      throw new AssertionError("[" + probe + "] after the probe: " + String.join("; ", broken));
    }
  }

  /** Null when an edit of the config file is applied within a few seconds. */
  private String reloadProblem() throws Exception {
    String current = Files.readString(configFile);
    String edited = current + "# reload check " + (++reloadChecks) + "\n";
    String before = configSha256();
    if (!applyConfig(edited)) {
      return "a config edit was not applied within "
          + RELOAD
          + " (/readyz configSha256 stayed "
          + before
          + ", now "
          + configSha256()
          + ")";
    }
    return null;
  }

  @AfterAll
  void stopAll() throws Exception {
    if (sidecar != null) {
      sidecar.terminate(Duration.ofSeconds(10));
      sidecar.close();
    }
    inside.close();
    outside.close();
    raw.close();
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  // ---- helpers for probes ----

  /** What the sidecar held just before the probe. */
  protected Footprint baseline() {
    return baseline;
  }

  /** The probe's name, for failure messages. */
  protected String probe() {
    return probe;
  }

  /** Fails the probe unless this process still runs (a probe's own process, before SIGTERM). */
  protected void expectAlive(SidecarProcess p, String during) {
    expect(p.alive(), "the sidecar died " + during + "; its last lines:\n" + p.tail(4));
  }

  /** Fails the probe with what was seen. */
  protected void expect(boolean ok, String seen) {
    if (!ok) {
      throw new AssertionError("[" + probe + "] " + seen);
    }
  }

  /** The response is this status with an OpenAI error envelope whose code contains {@code code}. */
  protected void expectError(Http.Response r, int status, String code) {
    String problem = Envelope.problem(r.status(), r.body(), status, code);
    expect(problem == null, problem);
  }

  protected void expectError(RawClient.Reply r, int status, String code) {
    String problem = Envelope.problem(r.status(), r.body(), status, code);
    expect(problem == null, problem + (r.answered() ? "" : " (" + r.outcome() + ")"));
  }

  /** Writes the config file and waits until /readyz reports its hash. */
  protected boolean applyConfig(String yaml) throws Exception {
    Files.writeString(configFile, yaml);
    return awaitConfigHash(sha256(yaml), RELOAD);
  }

  protected boolean awaitConfigHash(String hash, Duration timeout) {
    return Poll.until(timeout, () -> hash.equals(configSha256()));
  }

  protected String configSha256() {
    return readyz().path("configSha256").asText("");
  }

  protected JsonNode readyz() {
    try {
      Http.Response r = http.get(sidecar.managementPort(), "/readyz");
      return r.status() < 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  protected String metrics() throws Exception {
    return http.get(sidecar.managementPort(), "/metrics").body();
  }

  /** The value of one metric series, 0 when absent. */
  protected static double metric(String page, String nameAndLabels) {
    return page.lines()
        .filter(l -> l.startsWith(nameAndLabels + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** The access lines written since this log index. */
  protected List<String> accessLinesSince(int from) {
    return sidecar.logSince(from).stream().filter(l -> l.contains(" status=")).toList();
  }

  /** A line at error level, as the sidecar's text log writes it: {@code ts [thread] ERROR x - }. */
  protected static final Pattern SEVERE = Pattern.compile("\\] ERROR [\\w.$]+ - ");

  protected static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
