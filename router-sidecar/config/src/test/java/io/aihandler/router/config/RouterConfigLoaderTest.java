package io.aihandler.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RouterConfigLoaderTest {

  static String resource(String name) throws IOException {
    try (InputStream in = RouterConfigLoaderTest.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void readsTheReferenceScenarioWithItsDefaults() throws Exception {
    RouterConfig c = RouterConfigLoader.parse(resource("support-tickets.yaml"), "test");

    assertThat(c.backends()).hasSize(4);
    Backend claude = c.backend("claude-sonnet").orElseThrow();
    assertThat(claude.provider()).isEqualTo(Provider.ANTHROPIC);
    assertThat(claude.locality()).isEqualTo(Locality.EXTERNAL);
    assertThat(claude.effectiveBaseUrl()).isEqualTo("https://api.anthropic.com");
    assertThat(claude.capabilities().structuredOutput()).isEqualTo(StructuredOutputMode.NATIVE);
    assertThat(c.backend("llama-70b").orElseThrow().locality()).isEqualTo(Locality.IN_CLUSTER);

    Route bulk = c.route("bulk").orElseThrow();
    assertThat(bulk.strategy()).isEqualTo(RoutingStrategy.WEIGHTED);
    assertThat(bulk.maxAttempts()).isEqualTo(3);
    assertThat(bulk.fallbackTriggers()).containsExactlyInAnyOrder(FallbackTrigger.values());
    assertThat(bulk.backoff().initialDuration()).isEqualTo(Duration.ofMillis(250));
    assertThat(bulk.circuitBreaker().openDurationValue()).isEqualTo(Duration.ofSeconds(30));
    assertThat(bulk.firstTokenTimeoutDuration()).isEqualTo(bulk.perTryTimeoutDuration());

    Task classify = c.task("classify-ticket").orElseThrow();
    assertThat(classify.output().schema().path("required").size()).isEqualTo(3);
    assertThat(classify.variables().getFirst().required()).isTrue();
    assertThat(c.dataClass("restricted").orElseThrow().detectors()).hasSize(6);
    assertThat(c.sidecar().reloadIntervalDuration()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void yamlAndJsonRoundTripToTheSameDocument() throws Exception {
    RouterConfig c = RouterConfigLoader.parse(resource("support-tickets.yaml"), "test");
    assertThat(RouterConfigLoader.parse(RouterConfigLoader.toJson(c), "json")).isEqualTo(c);
    assertThat(RouterConfigLoader.parse(RouterConfigLoader.toYaml(c), "yaml")).isEqualTo(c);
  }

  @Test
  void aParseWhilePreparingOnAnotherThreadReadsTheSameDocument() throws Exception {
    String text = resource("support-tickets.yaml");
    RouterConfig expected = RouterConfigLoader.parse(text, "test");
    for (int i = 0; i < 20; i++) {
      Thread preparing = Thread.ofPlatform().start(RouterConfigLoader::prepare);
      assertThat(RouterConfigLoader.parse(text, "test")).isEqualTo(expected);
      preparing.join();
    }
  }

  @Test
  void aMinimalDocumentGetsSafeDefaults() throws Exception {
    RouterConfig c =
        RouterConfigLoader.parse(
            """
            backends:
              - {name: local, provider: vllm, baseUrl: "http://127.0.0.1:8000/v1", model: m}
            routes:
              - {name: main, targets: [{backend: local}]}
            """,
            "min");
    assertThat(c.sidecar().host()).isEqualTo("127.0.0.1");
    assertThat(c.sidecar().port()).isEqualTo(4080);
    assertThat(c.sidecar().managementHost()).isEqualTo("0.0.0.0");
    assertThat(c.sidecar().managementPort()).isEqualTo(4081);
    assertThat(c.sidecar().logPrompts()).isFalse();
    assertThat(c.tasks()).isEmpty();
  }

  @Test
  void theManagementPortFollowsThePortUnlessSetAndMustDifferFromIt() throws Exception {
    String backends =
        """
        backends:
          - {name: local, provider: vllm, baseUrl: "http://127.0.0.1:8000/v1", model: m}
        """;
    assertThat(
            RouterConfigLoader.parse("sidecar: {port: 9000}\n" + backends, "moved")
                .sidecar()
                .managementPort())
        .isEqualTo(9001);
    SidecarSettings set =
        RouterConfigLoader.parse(
                "sidecar: {managementHost: 10.1.2.3, managementPort: 9100}\n" + backends, "set")
            .sidecar();
    assertThat(set.managementHost()).isEqualTo("10.1.2.3");
    assertThat(set.managementPort()).isEqualTo(9100);

    assertThatThrownBy(
            () ->
                RouterConfigLoader.parse(
                    "sidecar: {port: 9000, managementPort: 9000, managementHost: \"\"}\n"
                        + backends,
                    "clash"))
        .isInstanceOfSatisfying(
            InvalidRouterConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "sidecar.managementPort: must differ from port 9000",
                        "sidecar.managementHost: must not be empty"));
    assertThatThrownBy(
            () -> RouterConfigLoader.parse("sidecar: {managementPort: 0}\n" + backends, "zero"))
        .isInstanceOfSatisfying(
            InvalidRouterConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly("sidecar.managementPort: 0 is not a port (1-65535)"));
  }

  @Test
  void refusesHttpsToAnIpAddressWhoseCertificateNamesCannotBeChecked() throws Exception {
    String template =
        """
        backends:
          - {name: private, provider: openai-compatible, baseUrl: "%s", model: m}
        routes:
          - {name: r, targets: [{backend: private}]}
        """;
    for (String url :
        new String[] {"https://10.0.0.5/v1", "https://10.0.0.5:8443/v1", "https://[fd00::5]/v1"}) {
      assertThatThrownBy(() -> RouterConfigLoader.parse(template.formatted(url), url))
          .isInstanceOfSatisfying(
              InvalidRouterConfigException.class,
              e ->
                  assertThat(e.problems())
                      .singleElement()
                      .asString()
                      .contains("backends[0].baseUrl")
                      .contains("HTTPS to an IP address")
                      .contains("DNS name"));
    }
    // A DNS name over HTTPS, and plain HTTP to an address inside the cluster, are fine.
    RouterConfigLoader.parse(template.formatted("https://llm.internal.example/v1"), "dns");
    RouterConfigLoader.parse(template.formatted("http://10.0.0.5:8000/v1"), "http");
  }

  @Test
  void reportsEveryProblemWithItsField() {
    String doc =
        """
        sidecar: {port: 70000, logLevel: loud}
        backends:
          - {name: a, provider: openai, model: gpt-4o}
          - {name: a, provider: azure-openai, model: x, credentials: {env: K}}
          - {name: c, provider: vllm, model: m, baseUrl: "ftp://x"}
        dataClasses:
          - name: restricted
            allowedLocalities: []
            detectors: [{type: regex, pattern: "(unclosed"}, {type: email, pattern: x}]
        defaultDataClass: secret
        unscannableDataClass: images
        routes:
          - name: r
            targets: [{backend: nope, weight: 0}, {backend: a, weight: 0}]
            strategy: weighted
            perTryTimeout: 2m
            timeout: 1m
            backoff: {initial: soon}
        tasks:
          - name: t
            route: missing
            dataClass: public
            prompt: {user: "{{ticket}} {{other}}"}
            variables: [{name: ticket}]
            output: {maxRepairAttempts: 9}
        """;
    assertThatThrownBy(() -> RouterConfigLoader.parse(doc, "bad.yaml"))
        .isInstanceOfSatisfying(
            InvalidRouterConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "sidecar.port: 70000 is not a port (1-65535)",
                        "sidecar.logLevel: \"loud\" is not one of error, warn, info, debug",
                        "backends[0].credentials: provider openai needs an API key",
                        "backends[1].name: backend \"a\" is defined twice",
                        "backends[1].baseUrl: required for provider azure-openai",
                        "backends[1].apiVersion: required for provider azure-openai",
                        "backends[2].baseUrl: \"ftp://x\" is not an http(s) URL",
                        "dataClasses[0].allowedLocalities: at least one locality (in-cluster,"
                            + " external)",
                        "dataClasses[0].detectors[1].pattern: only allowed for type regex",
                        "defaultDataClass: no data class \"secret\"",
                        "unscannableDataClass: no data class \"images\"",
                        "routes[0].targets[0].backend: no backend \"nope\"",
                        "routes[0].targets: strategy weighted needs a target with weight > 0",
                        "routes[0].perTryTimeout: must not exceed timeout",
                        "tasks[0].route: no route \"missing\"",
                        "tasks[0].dataClass: no data class \"public\"",
                        "tasks[0].prompt.user: uses {{other}}, which is not in variables",
                        "tasks[0].output.schema: required, a JSON Schema object",
                        "tasks[0].output.maxRepairAttempts: must be 0-5")
                    .anyMatch(s -> s.startsWith("dataClasses[0].detectors[0].pattern: not a valid"))
                    .anyMatch(s -> s.startsWith("routes[0].backoff.initial: 'soon' is not a")));
  }

  @Test
  void aMisspeltFieldIsAnErrorNamingIt() {
    assertThatThrownBy(
            () ->
                RouterConfigLoader.parse(
                    """
                    backends:
                      - {name: a, provider: vllm, baseUrl: "http://x:8000/v1", model: m, modle: n}
                    """,
                    "typo"))
        .isInstanceOf(InvalidRouterConfigException.class)
        .hasMessageContaining("backends[0]")
        .hasMessageContaining("\"modle\"");
  }

  @Test
  void anUnknownEnumValueAndBrokenSyntaxAreErrors() {
    assertThatThrownBy(
            () -> RouterConfigLoader.parse("backends: [{name: a, provider: bedrock}]", "enum"))
        .isInstanceOf(InvalidRouterConfigException.class)
        .hasMessageContaining("backends[0].provider");
    assertThatThrownBy(() -> RouterConfigLoader.parse("{\"backends\": [", "json"))
        .isInstanceOf(InvalidRouterConfigException.class)
        .hasMessageContaining("not valid YAML or JSON");
    assertThatThrownBy(() -> RouterConfigLoader.parse("  ", "empty")).hasMessageContaining("empty");
  }

  @Test
  void aMissingFileIsAnError(@org.junit.jupiter.api.io.TempDir Path dir) {
    assertThatThrownBy(() -> RouterConfigLoader.load(dir.resolve("none.yaml")))
        .isInstanceOf(InvalidRouterConfigException.class)
        .hasMessageContaining("cannot read");
  }

  @Test
  void durationsParseLikeKubernetes() {
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> Durations.parse("10")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("5 s")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void durationsParsedBeforeGiveTheSameAnswerAndBadOnesFailEveryTime() {
    for (int i = 0; i < 3; i++) {
      assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
      assertThat(Durations.parse("45ms")).isEqualTo(Duration.ofMillis(45));
      assertThatThrownBy(() -> Durations.parse("7 m")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
    // Many distinct values (more than are remembered) still all parse right.
    for (int i = 0; i < 2000; i++) {
      assertThat(Durations.parse(i + "ms")).isEqualTo(Duration.ofMillis(i));
    }
    Route route =
        new Route("r", null, null, null, null, null, "2s", null, null, null, null, null, null);
    assertThat(route.perTryTimeoutDuration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(route.firstTokenTimeoutDuration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(route.timeoutDuration()).isEqualTo(Duration.ofSeconds(120));
  }

  /** The complete example of docs/router-config.md is a valid document. */
  @Test
  void theDocumentedExampleLoads() throws Exception {
    Path doc = Path.of("../../docs/router-config.md");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(doc), "docs/router-config.md not found next to the module; skipped");
    Matcher m =
        Pattern.compile("<!-- complete-example -->\\s*```yaml\\n(.*?)```", Pattern.DOTALL)
            .matcher(Files.readString(doc));
    assertThat(m.find()).as("the doc has a complete example").isTrue();
    RouterConfig c = RouterConfigLoader.parse(m.group(1), "docs/router-config.md");
    assertThat(c).isEqualTo(RouterConfigLoader.parse(resource("support-tickets.yaml"), "test"));
  }
}
