package io.aihandler.testing.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart's monitoring pack as it ships, read from {@code charts/aihandler/files/}: the alert
 * rules, the Grafana dashboard and the alert thresholds' defaults from {@code values.yaml}. Tests
 * in any module find it from their working directory.
 */
public final class MonitoringPack {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

  /** An alerting rule: its name and PromQL expression. */
  public record Alert(String name, String expr) {}

  /** One query of a dashboard panel (or of a template variable, with the panel named after it). */
  public record Query(String panel, String expr) {}

  private final Path chart;

  private MonitoringPack(Path chart) {
    this.chart = chart;
  }

  /** The pack of the repository the working directory is in. */
  public static MonitoringPack locate() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path chart = dir.resolve("charts/aihandler");
      if (Files.isRegularFile(chart.resolve("files/prometheus-rules.yaml"))) {
        return new MonitoringPack(chart);
      }
    }
    throw new IllegalStateException("charts/aihandler/files not found above " + Path.of(""));
  }

  /** The rule file the PrometheusRule ships. */
  public Path rules() {
    return chart.resolve("files/prometheus-rules.yaml");
  }

  /** The dashboard JSON the ConfigMap ships. */
  public Path dashboard() {
    return chart.resolve("files/grafana-dashboard.json");
  }

  /** The page that documents every metric, alert and panel: {@code docs/observability.md}. */
  public Path documentation() {
    return chart.getParent().getParent().resolve("docs/observability.md");
  }

  /**
   * The metric families of {@code aihandler_*} series Prometheus holds that the documentation does
   * not name: a histogram's {@code _bucket}, {@code _count}, {@code _sum} and {@code _max} series
   * count as their histogram.
   */
  public List<String> undocumented(PrometheusServer prometheus) {
    String page;
    try {
      page = Files.readString(documentation());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> missing = new ArrayList<>();
    for (JsonNode series : prometheus.query("group by (__name__) ({__name__=~\"aihandler_.+\"})")) {
      String name = series.path("metric").path("__name__").asText();
      String family = name.replaceAll("_(bucket|count|sum|max)$", "");
      if (!page.contains("`" + family + "`") && !missing.contains(family)) {
        missing.add(family);
      }
    }
    return missing;
  }

  /** Every alert of the rule file, in file order. */
  public List<Alert> alerts() {
    List<Alert> alerts = new ArrayList<>();
    for (JsonNode group : read(YAML, rules()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.has("alert")) {
          alerts.add(new Alert(rule.path("alert").asText(), rule.path("expr").asText().strip()));
        }
      }
    }
    return alerts;
  }

  /** Every query of every panel and template variable of the dashboard. */
  public List<Query> dashboardQueries() {
    JsonNode dashboard = read(JSON, dashboard());
    List<Query> queries = new ArrayList<>();
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if ("query".equals(variable.path("type").asText())) {
        queries.add(
            new Query(
                "variable " + variable.path("name").asText(),
                variable.path("query").path("query").asText()));
      }
    }
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(new Query(panel.path("title").asText(), target.path("expr").asText()));
      }
    }
    return queries;
  }

  /** The thresholds' defaults from {@code values.yaml}, by value key. */
  public Map<String, Double> defaultThresholds() {
    JsonNode thresholds =
        read(YAML, chart.resolve("values.yaml"))
            .path("monitoring")
            .path("prometheusRule")
            .path("thresholds");
    Map<String, Double> values = new TreeMap<>();
    thresholds.properties().forEach(e -> values.put(e.getKey(), e.getValue().asDouble()));
    return values;
  }

  /**
   * The series name the chart records a threshold as: {@code spendUsdPerHour} is {@code
   * aihandler:alert_threshold:spend_usd_per_hour}.
   */
  public static String thresholdSeries(String key) {
    return "aihandler:alert_threshold:" + key.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
  }

  /**
   * Writes a rule file recording the given thresholds the way the chart's PrometheusRule does, for
   * a Prometheus or promtool to load beside {@link #rules()}.
   */
  public static Path writeThresholds(Path file, Map<String, Double> thresholds) {
    StringBuilder yaml = new StringBuilder("groups:\n  - name: aihandler-alert-thresholds\n");
    yaml.append("    rules:\n");
    new TreeMap<>(thresholds)
        .forEach(
            (key, value) ->
                yaml.append("      - record: ")
                    .append(thresholdSeries(key))
                    .append("\n        expr: vector(")
                    .append(value)
                    .append(")\n"));
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * A dashboard expression with its template variables replaced: {@code $namespace} or {@code
   * ${namespace}} by the given regex, Grafana's {@code $__rate_interval} and {@code $__range} by
   * the given window. An unknown variable is an error, so a renamed one cannot slip through.
   */
  public static String substitute(String expr, Map<String, String> variables, String window) {
    Map<String, String> all = new LinkedHashMap<>(variables);
    all.put("__rate_interval", window);
    all.put("__range", window);
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = all.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("unknown variable $" + m.group(1) + " in " + expr);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
