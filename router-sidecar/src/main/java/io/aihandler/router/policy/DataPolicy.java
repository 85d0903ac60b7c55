package io.aihandler.router.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.DataClass;
import io.aihandler.router.config.Detector;
import io.aihandler.router.config.Locality;
import io.aihandler.router.config.RouterConfig;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which backend localities a request may reach. A request's classes come from its task,
 * the {@code X-AIHandler-Data-Class} header and the detectors that match its text; it may reach
 * only the localities every one of its classes allows. Classes only ever narrow, never widen.
 */
public final class DataPolicy {

  /** The request header that names a data class. */
  public static final String HEADER = "x-aihandler-data-class";

  private record ClassRule(
      String name, Set<Locality> allowed, List<SensitiveDataDetector> detectors) {}

  /**
   * The classes of one request and what they allow.
   *
   * @param classes class names, in the order they were applied
   * @param allowed localities the request may reach
   */
  public record Decision(List<String> classes, Set<Locality> allowed) {

    /** Whether a backend of this locality may receive the request. */
    public boolean allows(Locality locality) {
      return allowed.contains(locality);
    }

    /** The classes as one metric label, e.g. {@code restricted} or {@code none}. */
    public String label() {
      return classes.isEmpty() ? "none" : String.join("+", classes);
    }
  }

  private final Map<String, ClassRule> classes = new LinkedHashMap<>();
  private final String defaultClass;
  private final boolean hasDetectors;

  /** Compiles the data classes of a config. */
  public DataPolicy(RouterConfig config) {
    for (DataClass dc : config.dataClasses()) {
      List<SensitiveDataDetector> detectors = new ArrayList<>();
      for (Detector d : dc.detectors()) {
        detectors.add(new SensitiveDataDetector(d));
      }
      Set<Locality> allowed = EnumSet.noneOf(Locality.class);
      allowed.addAll(dc.allowedLocalities());
      classes.put(dc.name(), new ClassRule(dc.name(), allowed, List.copyOf(detectors)));
    }
    this.defaultClass = config.defaultDataClass();
    this.hasDetectors = classes.values().stream().anyMatch(c -> !c.detectors().isEmpty());
  }

  /**
   * Classifies a request.
   *
   * @param taskClass the task's class, or null
   * @param headerClass the header's class, or null
   * @param request the request whose text the detectors read (every string in it)
   * @throws ApiException 400 when the header names an unknown class (failing closed: an unknown
   *     class cannot be honoured, so nothing is sent)
   */
  public Decision classify(String taskClass, String headerClass, JsonNode request) {
    List<String> applied = new ArrayList<>();
    Set<Locality> allowed = EnumSet.allOf(Locality.class);
    if (headerClass != null && !headerClass.isBlank()) {
      ClassRule rule = classes.get(headerClass.trim());
      if (rule == null) {
        throw new ApiException(
            400,
            "invalid_request_error",
            "unknown_data_class",
            HEADER,
            "data class \"" + headerClass.trim() + "\" is not defined; known: " + classes.keySet());
      }
      apply(rule, applied, allowed);
    }
    String base = taskClass != null ? taskClass : applied.isEmpty() ? defaultClass : null;
    if (base != null && classes.containsKey(base)) {
      apply(classes.get(base), applied, allowed);
    }
    if (hasDetectors) {
      StringBuilder text = new StringBuilder(1024);
      collectText(request, text);
      TextSignals signals = TextSignals.of(text);
      for (ClassRule rule : classes.values()) {
        if (applied.contains(rule.name())) {
          continue;
        }
        for (SensitiveDataDetector d : rule.detectors()) {
          if (d.matches(text, signals)) {
            apply(rule, applied, allowed);
            break;
          }
        }
      }
    }
    return new Decision(List.copyOf(applied), allowed);
  }

  private static void apply(ClassRule rule, List<String> applied, Set<Locality> allowed) {
    if (!applied.contains(rule.name())) {
      applied.add(rule.name());
    }
    allowed.retainAll(rule.allowed());
  }

  private static void collectText(JsonNode node, StringBuilder out) {
    if (node == null) {
      return;
    }
    if (node.isTextual()) {
      // A separator keeps two adjacent values from forming one false match.
      out.append(node.textValue()).append('\n');
    } else if (node.isNumber()) {
      out.append(node.asText()).append('\n');
    } else if (node.isContainerNode()) {
      if (node.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!"model".equals(e.getKey())) {
            collectText(e.getValue(), out);
          }
        }
      } else {
        for (JsonNode child : node) {
          collectText(child, out);
        }
      }
    }
  }
}
