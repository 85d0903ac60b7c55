package io.aihandler.router.abuse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The heavier floods, too slow for the test suite: {@code bench/abuse.sh [profile]} runs one
 * against a real sidecar with the shipped JVM flags and prints what it held and whether it still
 * served. Profiles: {@code connections} (silent and idle keep-alive connections by the thousand),
 * {@code upstream} (a non-streaming answer of many gigabytes), {@code all}. Sizes come from system
 * properties {@code abuse.connections} (5000) and {@code abuse.upstreamBytes} (10 GiB). Exits 1
 * when the sidecar died, stopped serving or went over 128 MiB resident.
 */
public final class AbuseFloods {

  private final List<String> failures = new ArrayList<>();
  private final Http http = new Http();

  public static void main(String[] args) throws Exception {
    String profile = args.length > 0 ? args[0] : "all";
    AbuseFloods floods = new AbuseFloods();
    Path dir = Files.createTempDirectory("abuse-floods-");
    try (RecordingBackend inside = RecordingBackend.inCluster();
        RecordingBackend outside = RecordingBackend.external();
        RawUpstream raw = new RawUpstream()) {
      long upstreamBytes = Long.getLong("abuse.upstreamBytes", 10L << 30);
      RouterYaml yaml =
          new RouterYaml(inside.baseUrl(), outside.baseUrl())
              .sidecar("headerReadTimeout: 2s")
              .sidecar("bodyReadTimeout: 2s")
              .backend(
                  "{name: huge, provider: vllm, baseUrl: \""
                      + raw.baseUrl("huge")
                      + "\", model: m}")
              .route(
                  "{name: huge, maxAttempts: 1, perTryTimeout: 120s, timeout: 120s, targets: [{backend: huge}]}");
      raw.answer(
          "huge",
          (req, out) ->
              RawUpstream.writeGenerated(
                  out,
                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                      + upstreamBytes
                      + "\r\n\r\n",
                  "{\"choices\":[{\"message\":{\"content\":\"".getBytes(),
                  "z".repeat(64 * 1024).getBytes(),
                  upstreamBytes));
      Path config = dir.resolve("router.yaml");
      Files.writeString(config, yaml.toString());
      try (SidecarProcess sidecar = SidecarProcess.start(config)) {
        floods.report("started", sidecar);
        if (profile.equals("connections") || profile.equals("all")) {
          floods.connections(sidecar, Integer.getInteger("abuse.connections", 5_000));
        }
        if (profile.equals("upstream") || profile.equals("all")) {
          floods.upstream(sidecar, upstreamBytes);
        }
        Duration grace = Duration.ofSeconds(3 + 5);
        if (sidecar.terminate(grace).isEmpty()) {
          floods.failures.add("SIGTERM: still running after " + grace);
        }
      }
    }
    System.out.println(
        floods.failures.isEmpty() ? "PASS" : "FAIL\n  " + String.join("\n  ", floods.failures));
    System.exit(floods.failures.isEmpty() ? 0 : 1);
  }

  private void connections(SidecarProcess sidecar, int count) throws Exception {
    try (PeakRss peak = new PeakRss(sidecar);
        ConnectionFlood silent = ConnectionFlood.silent(sidecar.port(), count)) {
      report(count + " silent connections open (" + silent + ")", sidecar);
      stillServing("with " + count + " silent connections", sidecar);
      silent.awaitClosedByServer(Duration.ofSeconds(10));
      report("10 s later: " + silent, sidecar);
      if (silent.closedByServer() < silent.opened()) {
        failures.add("silent connections: " + silent + " after 10 s (headerReadTimeout 2s)");
      }
      checkPeak("silent connections", peak);
    }
    try (PeakRss peak = new PeakRss(sidecar);
        ConnectionFlood idle = ConnectionFlood.keepAlive(sidecar.port(), count, "/healthz")) {
      idle.awaitAnswers(Duration.ofSeconds(60));
      report(count + " idle keep-alive connections (" + idle + ")", sidecar);
      stillServing("with " + count + " idle keep-alive connections", sidecar);
      checkPeak("idle keep-alive connections", peak);
    }
  }

  private void upstream(SidecarProcess sidecar, long bytes) throws Exception {
    try (PeakRss peak = new PeakRss(sidecar)) {
      long t0 = System.nanoTime();
      Http.Response r = http.chat(sidecar.port(), "huge", "hello");
      report(
          "a "
              + (bytes >> 20)
              + " MiB answer: "
              + r
              + " after "
              + Duration.ofNanos(System.nanoTime() - t0).toMillis()
              + " ms",
          sidecar);
      String problem = Envelope.problem(r.status(), r.body(), 502, "upstream_response_too_large");
      if (problem != null) {
        failures.add("upstream answer of " + bytes + " bytes: " + problem);
      }
      stillServing("after the huge answer", sidecar);
      checkPeak("huge upstream answer", peak);
    }
  }

  private void stillServing(String when, SidecarProcess sidecar) throws Exception {
    if (!sidecar.alive()) {
      failures.add(when + ": the sidecar died: " + sidecar.tail(3));
      return;
    }
    Http.Response api = Http.fresh().chat(sidecar.port(), "main", "hello");
    Http.Response mgmt = Http.fresh().get(sidecar.managementPort(), "/readyz");
    System.out.println("  " + when + ": API " + api.status() + ", management " + mgmt.status());
    if (api.status() != 200 || mgmt.status() != 200) {
      failures.add(when + ": API " + api + ", management " + mgmt);
    }
  }

  private void checkPeak(String what, PeakRss peak) {
    System.out.println("  peak RSS during " + what + ": " + peak.peakKib() / 1024 + " MiB");
    if (peak.peakKib() >= Footprint.RSS_LIMIT_KIB) {
      failures.add(what + ": resident memory peaked at " + peak.peakKib() / 1024 + " MiB");
    }
  }

  private void report(String what, SidecarProcess sidecar) {
    System.out.println(what + ": " + (sidecar.alive() ? sidecar.footprint() : "process gone"));
  }
}
