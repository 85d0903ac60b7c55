package io.aihandler.router.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Checks a parsed document for what the types alone cannot: references, ranges, formats. */
final class RouterConfigValidator {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern BACKEND_NAME = Pattern.compile("[a-z0-9]([-a-z0-9./]*[a-z0-9])?");
  private static final Pattern VARIABLE =
      Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
  private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug");

  /** Most calls a circuit breaker's window holds: it keeps a slot per call for every backend. */
  static final int MAX_CIRCUIT_WINDOW = 1_000;

  static final int MAX_REQUESTS_PER_MINUTE = 1_000_000;
  static final int MAX_TOKENS_PER_MINUTE = 1_000_000_000;
  static final int MAX_CONCURRENCY = 10_000;

  /** Most tokens of a context window or an answer; far above any model's, far below overflow. */
  static final int MAX_TOKENS = 100_000_000;

  /** Longer than any embedding model's vectors (the largest today are 4,096 to 8,192 long). */
  static final int MAX_EMBEDDING_DIMENSIONS = 65_536;

  /** OpenAI takes 2,048 inputs per call; a bound beyond it only sizes what is refused. */
  static final int MAX_EMBEDDING_INPUTS = 100_000;

  /** Longest wait a route may set (timeouts, backoff, open circuit). */
  static final Duration MAX_WAIT = Duration.ofHours(1);

  private static final String MAX_WAIT_TEXT = "1h";

  /** The responses store lives on the sidecar's heap: more than this is a typo, not a plan. */
  static final long MAX_RESPONSES_STORE_BYTES = 1024L * 1024 * 1024;

  /** Stored conversations are working memory for a dialogue, not an archive. */
  static final Duration MAX_RESPONSES_STORE_TTL = Duration.ofHours(24);

  private RouterConfigValidator() {}

  static List<String> problems(RouterConfig c) {
    List<String> p = new ArrayList<>();
    sidecar(c.sidecar(), p);
    EvaluationRules.sidecar(c.sidecar(), p);
    if (c.backends().isEmpty()) {
      p.add("backends: at least one backend is needed");
    }
    Set<String> backendNames = new HashSet<>();
    for (int i = 0; i < c.backends().size(); i++) {
      backend("backends[" + i + "]", c.backends().get(i), backendNames, p);
    }
    Set<String> classNames = new HashSet<>();
    for (int i = 0; i < c.dataClasses().size(); i++) {
      dataClass("dataClasses[" + i + "]", c.dataClasses().get(i), classNames, p);
    }
    if (c.defaultDataClass() != null && !classNames.contains(c.defaultDataClass())) {
      p.add("defaultDataClass: no data class \"" + c.defaultDataClass() + "\"");
    }
    unscannableDataClass(c.unscannableDataClass(), classNames, p);
    Set<String> routeNames = new HashSet<>();
    for (int i = 0; i < c.routes().size(); i++) {
      route("routes[" + i + "]", c.routes().get(i), backendNames, routeNames, p);
    }
    Set<String> taskNames = new HashSet<>();
    for (int i = 0; i < c.tasks().size(); i++) {
      task("tasks[" + i + "]", c.tasks().get(i), routeNames, classNames, taskNames, p);
    }
    generatingTasksReachAChatModel(c, p);
    EvaluationRules.tasks(c, p);
    return p;
  }

  /**
   * A task with a prompt, an output schema or sampling parameters generates text, so its route must
   * reach a backend that chats; one on a route of embedding models only could never be served,
   * which is better said when the config is applied than on the first request.
   */
  private static void generatingTasksReachAChatModel(RouterConfig c, List<String> p) {
    for (int i = 0; i < c.tasks().size(); i++) {
      Task t = c.tasks().get(i);
      if (t.prompt() == null && t.output() == null && t.parameters() == null) {
        continue;
      }
      String at = "tasks[" + i + "].route";
      c.route(t.route())
          .filter(
              r ->
                  !r.targets().isEmpty()
                      && r.targets().stream()
                          .map(target -> c.backend(target.backend()))
                          .allMatch(b -> b.isPresent() && !b.get().capabilities().chat()))
          .ifPresent(
              r ->
                  p.add(
                      at
                          + ": task "
                          + t.name()
                          + " generates text (it has a"
                          + " prompt, an output schema or parameters), and route "
                          + r.name()
                          + " reaches only embedding models (capabilities.chat: false)"));
    }
  }

  private static void sidecar(SidecarSettings s, List<String> p) {
    if (s.port() < 1 || s.port() > 65535) {
      p.add("sidecar.port: " + s.port() + " is not a port (1-65535)");
    }
    if (s.host().isBlank()) {
      p.add("sidecar.host: must not be empty");
    }
    if (s.managementPort() < 1 || s.managementPort() > 65535) {
      p.add("sidecar.managementPort: " + s.managementPort() + " is not a port (1-65535)");
    } else if (s.managementPort().equals(s.port())) {
      p.add("sidecar.managementPort: must differ from port " + s.port());
    }
    if (s.managementHost().isBlank()) {
      p.add("sidecar.managementHost: must not be empty");
    }
    if (!LOG_LEVELS.contains(s.logLevel())) {
      p.add("sidecar.logLevel: \"" + s.logLevel() + "\" is not one of error, warn, info, debug");
    }
    if (s.maxRequestBytes() < 1024) {
      p.add("sidecar.maxRequestBytes: must be at least 1024");
    }
    positiveDuration("sidecar.reloadInterval", s.reloadInterval(), p);
    duration("sidecar.shutdownGrace", s.shutdownGrace(), p);
    positiveDuration("sidecar.idleTimeout", s.idleTimeout(), p);
    positiveDuration("sidecar.headerReadTimeout", s.headerReadTimeout(), p);
    positiveDuration("sidecar.bodyReadTimeout", s.bodyReadTimeout(), p);
    between("sidecar.maxConnections", s.maxConnections(), 1, 100_000, p);
    between("sidecar.maxConcurrentRequests", s.maxConcurrentRequests(), 1, 100_000, p);
    between("sidecar.maxJsonDepth", s.maxJsonDepth(), 4, 1_000, p);
    between("sidecar.maxJsonArrayItems", s.maxJsonArrayItems(), 16, 10_000_000, p);
    if (s.maxUpstreamResponseBytes() < 1024) {
      p.add("sidecar.maxUpstreamResponseBytes: must be at least 1024");
    }
    if (s.maxUpstreamErrorBytes() < 256) {
      p.add("sidecar.maxUpstreamErrorBytes: must be at least 256");
    }
    if (s.maxSseEventBytes() < 1024) {
      p.add("sidecar.maxSseEventBytes: must be at least 1024");
    }
    between("sidecar.responsesStoreEntries", s.responsesStoreEntries(), 0, 1_000_000, p);
    if (s.responsesStoreBytes() < 0 || s.responsesStoreBytes() > MAX_RESPONSES_STORE_BYTES) {
      p.add(
          "sidecar.responsesStoreBytes: "
              + s.responsesStoreBytes()
              + " is outside 0.."
              + MAX_RESPONSES_STORE_BYTES
              + " (1 GiB)");
    }
    Duration ttl = positiveDuration("sidecar.responsesStoreTtl", s.responsesStoreTtl(), p);
    if (ttl != null && ttl.compareTo(MAX_RESPONSES_STORE_TTL) > 0) {
      p.add("sidecar.responsesStoreTtl: " + s.responsesStoreTtl() + " is longer than 24h");
    }
    ObservabilityValidator.check(s, p);
    // Each held request keeps its client's connection and a request slot: 0 holds none.
    between("sidecar.maxHeldRequests", s.maxHeldRequests(), 0, 100_000, p);
    boundedDuration("sidecar.holdKeepAliveInterval", s.holdKeepAliveInterval(), p);
    activation(s.activation(), p);
  }

  /**
   * The activation call carries the pod's token: only over HTTPS, trusting only the given CA, from
   * an absolute token path.
   */
  private static void activation(Activation a, List<String> p) {
    if (a == null) {
      return;
    }
    if (a.url() == null || !a.url().matches("https://[^\\s/]+(/\\S*)?")) {
      p.add("sidecar.activation.url: \"" + a.url() + "\" is not an https URL");
    }
    if (a.tokenPath() == null || !a.tokenPath().startsWith("/")) {
      p.add("sidecar.activation.tokenPath: must be an absolute path");
    }
    if (a.caCertificate() == null || !a.caCertificate().contains("-----BEGIN CERTIFICATE-----")) {
      p.add("sidecar.activation.caCertificate: must be a PEM certificate");
    }
    boundedDuration("sidecar.activation.minInterval", a.minInterval(), p);
  }

  private static void between(String at, int value, int min, int max, List<String> p) {
    if (value < min || value > max) {
      p.add(at + ": " + value + " is outside " + min + ".." + max);
    }
  }

  private static void backend(String at, Backend b, Set<String> names, List<String> p) {
    if (b == null) {
      p.add(at + ": must not be null");
      return;
    }
    if (b.name() == null || !BACKEND_NAME.matcher(b.name()).matches()) {
      p.add(at + ".name: \"" + b.name() + "\" must be lower-case letters, digits, '-', '.' or '/'");
    } else if (!names.add(b.name())) {
      p.add(at + ".name: backend \"" + b.name() + "\" is defined twice");
    }
    if (b.provider() == null) {
      p.add(
          at
              + ".provider: required (vllm, openai, anthropic, gemini, azure-openai or"
              + " openai-compatible)");
      return;
    }
    if (b.model() == null || b.model().isBlank()) {
      p.add(at + ".model: required");
    }
    boolean needsUrl =
        switch (b.provider()) {
          case VLLM, AZURE_OPENAI, OPENAI_COMPATIBLE -> true;
          default -> false;
        };
    if (b.baseUrl() == null) {
      if (needsUrl) {
        p.add(at + ".baseUrl: required for provider " + b.provider().wireName());
      }
    } else if (!b.baseUrl().matches("https?://[^\\s/]+(/\\S*)?")) {
      p.add(at + ".baseUrl: \"" + b.baseUrl() + "\" is not an http(s) URL");
    } else if (b.baseUrl()
        .matches("https://(\\[[0-9A-Fa-f:.]+]|[0-9]+(\\.[0-9]+){3})(:[0-9]+)?(/\\S*)?")) {
      // The upstream client verifies a certificate's names for DNS hosts only: fail closed.
      p.add(
          at
              + ".baseUrl: \""
              + b.baseUrl()
              + "\" is HTTPS to an IP address, whose certificate"
              + " cannot be checked against the host; use the endpoint's DNS name");
    }
    if (b.provider() == Provider.AZURE_OPENAI && b.apiVersion() == null) {
      p.add(at + ".apiVersion: required for provider azure-openai");
    }
    if (b.apiVersion() != null && b.provider() != Provider.AZURE_OPENAI) {
      p.add(at + ".apiVersion: applies only to provider azure-openai");
    }
    Credentials cr = b.credentials();
    if (cr != null) {
      if ((cr.file() == null) == (cr.env() == null)) {
        p.add(at + ".credentials: set exactly one of file and env");
      }
      if (cr.env() != null && !cr.env().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        p.add(at + ".credentials.env: \"" + cr.env() + "\" is not an environment variable name");
      }
    } else if (b.provider() != Provider.VLLM && b.provider() != Provider.OPENAI_COMPATIBLE) {
      p.add(at + ".credentials: provider " + b.provider().wireName() + " needs an API key");
    }
    Pricing pr = b.pricing();
    if (pr != null) {
      nonNegative(at + ".pricing.inputPerMillionTokens", pr.inputPerMillionTokens(), p);
      nonNegative(at + ".pricing.outputPerMillionTokens", pr.outputPerMillionTokens(), p);
      nonNegative(at + ".pricing.gpuHourly", pr.gpuHourly(), p);
    }
    backendSizes(at, b, p);
    Capacity cap = b.capacity();
    if (cap != null) {
      if (cap.modelBackend() != null
          && !cap.modelBackend()
              .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
        p.add(
            at
                + ".capacity.modelBackend: \""
                + cap.modelBackend()
                + "\" is not <namespace>/<name>");
      }
    }
  }

  /**
   * Bounds of a backend's numbers: each sizes something the sidecar holds or adds, so a typo of a
   * few zeros must be refused rather than sized or overflowed.
   */
  private static void backendSizes(String at, Backend b, List<String> p) {
    Limits l = b.limits();
    if (l != null) {
      within(
          at + ".limits.requestsPerMinute", l.requestsPerMinute(), 1, MAX_REQUESTS_PER_MINUTE, p);
      within(at + ".limits.tokensPerMinute", l.tokensPerMinute(), 1, MAX_TOKENS_PER_MINUTE, p);
      within(at + ".limits.maxConcurrency", l.maxConcurrency(), 1, MAX_CONCURRENCY, p);
    }
    within(at + ".capabilities.contextWindow", b.capabilities().contextWindow(), 1, MAX_TOKENS, p);
    within(at + ".defaultMaxTokens", b.defaultMaxTokens(), 1, MAX_TOKENS, p);
    EmbeddingCapability e = b.capabilities().embeddings();
    if (e != null) {
      within(
          at + ".capabilities.embeddings.dimensions",
          e.dimensions(),
          1,
          MAX_EMBEDDING_DIMENSIONS,
          p);
      within(at + ".capabilities.embeddings.maxInputs", e.maxInputs(), 1, MAX_EMBEDDING_INPUTS, p);
    }
    if (!b.capabilities().chat() && e == null) {
      p.add(at + ".capabilities: a backend that serves no chat must serve embeddings");
    }
  }

  private static void dataClass(String at, DataClass d, Set<String> names, List<String> p) {
    if (d.name() == null || !DNS_LABEL.matcher(d.name()).matches()) {
      p.add(at + ".name: \"" + d.name() + "\" must be a DNS label");
    } else if (!names.add(d.name())) {
      p.add(at + ".name: data class \"" + d.name() + "\" is defined twice");
    }
    if (d.allowedLocalities().isEmpty()) {
      p.add(at + ".allowedLocalities: at least one locality (in-cluster, external)");
    }
    for (int i = 0; i < d.detectors().size(); i++) {
      Detector det = d.detectors().get(i);
      String dat = at + ".detectors[" + i + "]";
      if (det.type() == null) {
        p.add(dat + ".type: required (email, phone, creditCard, iban, usSsn, regex)");
      } else if (det.type() == DetectorType.REGEX) {
        if (det.pattern() == null || det.pattern().isEmpty()) {
          p.add(dat + ".pattern: required for type regex");
        } else {
          try {
            Pattern.compile(det.pattern());
          } catch (PatternSyntaxException e) {
            p.add(dat + ".pattern: not a valid regular expression: " + e.getDescription());
          }
        }
      } else if (det.pattern() != null) {
        p.add(dat + ".pattern: only allowed for type regex");
      }
    }
  }

  private static void unscannableDataClass(String name, Set<String> classes, List<String> p) {
    if (name != null && !classes.contains(name)) {
      p.add("unscannableDataClass: no data class \"" + name + "\"");
    }
  }

  private static void route(
      String at, Route r, Set<String> backends, Set<String> names, List<String> p) {
    if (r.name() == null || !DNS_LABEL.matcher(r.name()).matches()) {
      p.add(at + ".name: \"" + r.name() + "\" must be a DNS label");
    } else if (!names.add(r.name())) {
      p.add(at + ".name: route \"" + r.name() + "\" is defined twice");
    }
    if (r.targets().isEmpty()) {
      p.add(at + ".targets: at least one target is needed");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < r.targets().size(); i++) {
      RouteTarget t = r.targets().get(i);
      String tat = at + ".targets[" + i + "]";
      if (t.backend() == null || !backends.contains(t.backend())) {
        p.add(tat + ".backend: no backend \"" + t.backend() + "\"");
      } else if (!seen.add(t.backend())) {
        p.add(tat + ".backend: \"" + t.backend() + "\" is listed twice");
      }
      if (t.weight() < 0 || t.weight() > 1000) {
        p.add(tat + ".weight: must be 0-1000");
      }
      if (t.priority() < 0 || t.priority() > 1000) {
        p.add(tat + ".priority: must be 0-1000");
      }
    }
    if (r.strategy() == RoutingStrategy.WEIGHTED
        && r.targets().stream().noneMatch(t -> t.weight() > 0)) {
      p.add(at + ".targets: strategy weighted needs a target with weight > 0");
    }
    if (r.maxAttempts() < 1 || r.maxAttempts() > 10) {
      p.add(at + ".maxAttempts: must be 1-10");
    }
    routeTimes(at, r, p);
    circuitBreaker(at + ".circuitBreaker", r.circuitBreaker(), p);
  }

  /** A route's waits: each longer than zero and at most {@link #MAX_WAIT}. */
  private static void routeTimes(String at, Route r, List<String> p) {
    boundedDuration(at + ".backoff.initial", r.backoff().initial(), p);
    boundedDuration(at + ".backoff.max", r.backoff().max(), p);
    Duration perTry = boundedDuration(at + ".perTryTimeout", r.perTryTimeout(), p);
    Duration total = boundedDuration(at + ".timeout", r.timeout(), p);
    boundedDuration(at + ".firstTokenTimeout", r.firstTokenTimeout(), p);
    boundedDuration(at + ".streamIdleTimeout", r.streamIdleTimeout(), p);
    boundedDuration(at + ".coldStartTimeout", r.coldStartTimeout(), p);
    if (perTry != null && total != null && perTry.compareTo(total) > 0) {
      p.add(at + ".perTryTimeout: must not exceed timeout");
    }
  }

  /**
   * The breaker keeps one slot per call of its window for each backend, allocated up front, so the
   * window is what bounds its memory.
   */
  private static void circuitBreaker(String at, CircuitBreakerSettings cb, List<String> p) {
    if (cb.failureRateThreshold() < 1 || cb.failureRateThreshold() > 100) {
      p.add(at + ".failureRateThreshold: must be 1-100");
    }
    boolean window = within(at + ".windowSize", cb.windowSize(), 1, MAX_CIRCUIT_WINDOW, p);
    if (within(at + ".minimumCalls", cb.minimumCalls(), 1, MAX_CIRCUIT_WINDOW, p)
        && window
        && cb.minimumCalls() > cb.windowSize()) {
      p.add(
          at
              + ".minimumCalls: "
              + cb.minimumCalls()
              + " must not exceed windowSize "
              + cb.windowSize()
              + " (the rate could never be judged)");
    }
    boundedDuration(at + ".openDuration", cb.openDuration(), p);
  }

  private static void task(
      String at,
      Task t,
      Set<String> routes,
      Set<String> classes,
      Set<String> names,
      List<String> p) {
    if (t.name() == null || !DNS_LABEL.matcher(t.name()).matches()) {
      p.add(at + ".name: \"" + t.name() + "\" must be a DNS label");
    } else if (!names.add(t.name())) {
      p.add(at + ".name: task \"" + t.name() + "\" is defined twice");
    }
    if (t.route() == null || !routes.contains(t.route())) {
      p.add(at + ".route: no route \"" + t.route() + "\"");
    }
    if (t.dataClass() != null && !classes.contains(t.dataClass())) {
      p.add(at + ".dataClass: no data class \"" + t.dataClass() + "\"");
    }
    Set<String> declared = new HashSet<>();
    for (int i = 0; i < t.variables().size(); i++) {
      TaskVariable v = t.variables().get(i);
      if (v.name() == null || !v.name().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        p.add(at + ".variables[" + i + "].name: \"" + v.name() + "\" is not a variable name");
      } else if (!declared.add(v.name())) {
        p.add(at + ".variables[" + i + "].name: \"" + v.name() + "\" is declared twice");
      }
    }
    if (t.prompt() != null) {
      Consumer<String[]> check =
          pair -> {
            if (pair[1] == null) {
              return;
            }
            Matcher m = VARIABLE.matcher(pair[1]);
            while (m.find()) {
              if (!declared.contains(m.group(1))) {
                p.add(
                    at
                        + ".prompt."
                        + pair[0]
                        + ": uses {{"
                        + m.group(1)
                        + "}}, which is not in variables");
              }
            }
          };
      check.accept(new String[] {"system", t.prompt().system()});
      check.accept(new String[] {"user", t.prompt().user()});
    } else if (!t.variables().isEmpty()) {
      p.add(at + ".variables: declared, but the task has no prompt to use them");
    }
    if (t.output() != null) {
      if (t.output().schema() == null
          || !(t.output().schema().isObject() || t.output().schema().isBoolean())) {
        p.add(at + ".output.schema: required, a JSON Schema object");
      }
      if (t.output().maxRepairAttempts() < 0 || t.output().maxRepairAttempts() > 5) {
        p.add(at + ".output.maxRepairAttempts: must be 0-5");
      }
    }
    TaskParameters tp = t.parameters();
    if (tp != null) {
      if (tp.temperature() != null && (tp.temperature() < 0 || tp.temperature() > 2)) {
        p.add(at + ".parameters.temperature: must be 0-2");
      }
      if (tp.topP() != null && (tp.topP() < 0 || tp.topP() > 1)) {
        p.add(at + ".parameters.topP: must be 0-1");
      }
      positive(at + ".parameters.maxTokens", tp.maxTokens(), p);
    }
    if (t.timeout() != null) {
      positiveDuration(at + ".timeout", t.timeout(), p);
    }
  }

  private static Duration duration(String at, String text, List<String> p) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      p.add(at + ": " + e.getMessage());
      return null;
    }
  }

  /** A duration longer than zero and at most {@link #MAX_WAIT}; null when it is not. */
  private static Duration boundedDuration(String at, String text, List<String> p) {
    Duration d = positiveDuration(at, text, p);
    if (d != null && d.compareTo(MAX_WAIT) > 0) {
      p.add(at + ": " + text + " is longer than the most allowed, " + MAX_WAIT_TEXT);
      return null;
    }
    return d;
  }

  /** Whether a number, when set, is within min..max; adds the problem when it is not. */
  private static boolean within(String at, Integer v, int min, int max, List<String> p) {
    if (v != null && (v < min || v > max)) {
      p.add(at + ": " + v + " is outside " + min + ".." + max);
      return false;
    }
    return true;
  }

  private static Duration positiveDuration(String at, String text, List<String> p) {
    Duration d = duration(at, text, p);
    if (d != null && d.isZero()) {
      p.add(at + ": must be longer than zero");
      return null;
    }
    return d;
  }

  private static void positive(String at, Integer v, List<String> p) {
    if (v != null && v < 1) {
      p.add(at + ": must be at least 1");
    }
  }

  private static void nonNegative(String at, Double v, List<String> p) {
    if (v != null && v < 0) {
      p.add(at + ": must not be negative");
    }
  }
}
