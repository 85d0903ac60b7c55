package io.aihandler.controllers.spillover;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The PromQL the spill-over reporter sends for one backend over one window, over the sidecars'
 * {@code aihandler_spillovers_total} and {@code aihandler_spillover_cost_usd_total}
 * (docs/vllm-backends.md lists them): the increase of every series {@link SpilloverSelection} says
 * is the backend's, summed into one sample (none when there is no such series).
 */
public record SpilloverQueries(SpilloverSelection selection, Duration window) {

  /** Requests spilled over from the backend. */
  public String requests() {
    return sum("aihandler_spillovers_total");
  }

  /** What they cost at their targets, in USD. */
  public String cost() {
    return sum("aihandler_spillover_cost_usd_total");
  }

  private String sum(String metric) {
    String range = "[" + Math.max(1, window.toSeconds()) + "s]";
    List<String> parts = new ArrayList<>();
    if (selection.qualifiedCounted()) {
      parts.add(
          increase(
              metric,
              "from=\""
                  + escape(selection.qualified())
                  + "\""
                  + (selection.qualifiedElsewhere().isEmpty()
                      ? ""
                      : ", "
                          + selection.namespaceLabel()
                          + "!~\""
                          + String.join("|", selection.qualifiedElsewhere())
                          + "\""),
              range));
    }
    String bare = "from=\"" + escape(selection.name()) + "\"";
    if (selection.everywhere()) {
      parts.add(increase(metric, bare, range));
    } else if (!selection.namespaces().isEmpty()) {
      parts.add(
          increase(
              metric,
              bare
                  + ", "
                  + selection.namespaceLabel()
                  + "=~\""
                  + String.join("|", selection.namespaces())
                  + "\"",
              range));
    }
    if (parts.isEmpty()) {
      // No series is the backend's for sure: a selector that matches none, so the sum is empty.
      parts.add(increase(metric, "from=\"\", from!=\"\"", range));
    }
    // The parts' series differ in from, so "or" keeps every one of them.
    return "sum(" + String.join(" or ", parts) + ")";
  }

  private static String increase(String metric, String matchers, String range) {
    return "increase(" + metric + "{" + matchers + "}" + range + ")";
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
