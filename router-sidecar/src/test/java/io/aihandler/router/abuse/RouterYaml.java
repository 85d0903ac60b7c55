package io.aihandler.router.abuse;

import java.util.ArrayList;
import java.util.List;

/**
 * The config document the probes run under: an in-cluster backend {@code inside} (route {@code
 * main}), an external one {@code outside}, a route {@code mixed} that tries the external one first,
 * and the data classes {@code restricted} (in-cluster only, PII detectors) and {@code public}. Each
 * family adds its own settings, backends and routes.
 */
public final class RouterYaml {

  private final String insideUrl;
  private final String outsideUrl;
  private final List<String> sidecar = new ArrayList<>();
  private final List<String> backends = new ArrayList<>();
  private final List<String> routes = new ArrayList<>();
  private boolean dataClasses = true;
  private String defaultDataClass;

  public RouterYaml(String insideUrl, String outsideUrl) {
    this.insideUrl = insideUrl;
    this.outsideUrl = outsideUrl;
  }

  /** A {@code sidecar} setting, e.g. {@code headerReadTimeout: 2s}. */
  public RouterYaml sidecar(String setting) {
    sidecar.add(setting);
    return this;
  }

  /** A backend, as a YAML flow mapping. */
  public RouterYaml backend(String flowMapping) {
    backends.add(flowMapping);
    return this;
  }

  /** A route, as a YAML flow mapping. */
  public RouterYaml route(String flowMapping) {
    routes.add(flowMapping);
    return this;
  }

  public RouterYaml withoutDataClasses() {
    dataClasses = false;
    return this;
  }

  public RouterYaml defaultDataClass(String name) {
    defaultDataClass = name;
    return this;
  }

  /** The document up to and including its routes. */
  public String head() {
    StringBuilder y = new StringBuilder();
    y.append("sidecar:\n");
    y.append("  reloadInterval: 250ms\n  shutdownGrace: 3s\n  managementHost: 127.0.0.1\n");
    for (String s : sidecar) {
      y.append("  ").append(s).append('\n');
    }
    y.append("backends:\n");
    y.append("  - {name: inside, provider: vllm, baseUrl: \"")
        .append(insideUrl)
        .append("\", model: llama-3.3-70b}\n");
    y.append("  - {name: outside, provider: openai-compatible, locality: external, baseUrl: \"")
        .append(outsideUrl)
        .append("\", model: gpt-4o}\n");
    for (String b : backends) {
      y.append("  - ").append(b).append('\n');
    }
    y.append("routes:\n");
    y.append("  - {name: main, targets: [{backend: inside}]}\n");
    y.append(
        "  - {name: mixed, maxAttempts: 2, targets: [{backend: outside, priority: 0},"
            + " {backend: inside, priority: 1}]}\n");
    for (String r : routes) {
      y.append("  - ").append(r).append('\n');
    }
    return y.toString();
  }

  /** The data classes and the default class. */
  public String tail() {
    StringBuilder y = new StringBuilder();
    if (dataClasses) {
      y.append("dataClasses:\n");
      y.append("  - name: restricted\n    allowedLocalities: [in-cluster]\n");
      y.append(
          "    detectors: [{type: email}, {type: phone}, {type: creditCard}, {type: iban},"
              + " {type: usSsn}]\n");
      y.append("  - {name: public, allowedLocalities: [in-cluster, external]}\n");
    }
    if (defaultDataClass != null) {
      y.append("defaultDataClass: ").append(defaultDataClass).append('\n');
    }
    return y.toString();
  }

  @Override
  public String toString() {
    return head() + tail();
  }
}
