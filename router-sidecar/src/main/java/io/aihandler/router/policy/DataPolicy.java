package io.aihandler.router.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.DataClass;
import io.aihandler.router.config.Detector;
import io.aihandler.router.config.Locality;
import io.aihandler.router.config.RouterConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which backend localities a request may reach. A request's classes are its task's class
 * (or the default class when the task names none), every class the {@code X-AIHandler-Data-Class}
 * header names, the classes of the detectors that match its text, and the unscannable class when it
 * carries content the detectors cannot read. It may reach only the localities every one of its
 * classes allows. Each source only adds classes: nothing a client sends removes one, so classes
 * only ever narrow, never widen.
 */
public final class DataPolicy {

  /** The request header that names data classes (repeated, or a comma-separated list). */
  public static final String HEADER = "x-aihandler-data-class";

  private record ClassRule(
      String name, int order, Set<Locality> allowed, List<SensitiveDataDetector> detectors) {}

  /**
   * The classes of one request and what they allow.
   *
   * @param classes class names, in the order the config declares them
   * @param allowed localities the request may reach
   * @param reasons why each class applies, one of a fixed set: {@code task}, {@code default},
   *     {@code header}, {@code detector:<type>} (e.g. {@code detector:email}), {@code unscannable};
   *     never the text that matched
   */
  public record Decision(List<String> classes, Set<Locality> allowed, Map<String, String> reasons) {

    public Decision {
      classes = List.copyOf(classes);
      allowed =
          Collections.unmodifiableSet(
              allowed.isEmpty() ? EnumSet.noneOf(Locality.class) : EnumSet.copyOf(allowed));
      reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
    }

    /** A decision whose reasons are not recorded. */
    public Decision(List<String> classes, Set<Locality> allowed) {
      this(classes, allowed, Map.of());
    }

    /** Whether a backend of this locality may receive the request. */
    public boolean allows(Locality locality) {
      return allowed.contains(locality);
    }

    /**
     * The classes as one metric label, e.g. {@code restricted} or {@code none}: bounded by the
     * config's classes, since they appear in declaration order.
     */
    public String label() {
      return classes.isEmpty() ? "none" : String.join("+", classes);
    }
  }

  private final Map<String, ClassRule> classes = new LinkedHashMap<>();
  private final String defaultClass;
  private final ClassRule unscannableClass;
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
      classes.put(
          dc.name(), new ClassRule(dc.name(), classes.size(), allowed, List.copyOf(detectors)));
    }
    this.defaultClass = config.defaultDataClass();
    this.hasDetectors = classes.values().stream().anyMatch(c -> !c.detectors().isEmpty());
    this.unscannableClass =
        config.unscannableDataClass() != null
            ? classes.get(config.unscannableDataClass())
            : mostRestrictiveWithDetectors();
  }

  /**
   * Content the detectors cannot read is treated as if a detector had fired: the class that allows
   * the fewest localities among those that have detectors (the first declared on a tie). With no
   * detectors at all nothing is read anyway, and unreadable content is no different.
   */
  private ClassRule mostRestrictiveWithDetectors() {
    return classes.values().stream()
        .filter(c -> !c.detectors().isEmpty())
        .min(
            Comparator.comparingInt((ClassRule c) -> c.allowed().size())
                .thenComparingInt(ClassRule::order))
        .orElse(null);
  }

  /** The class a request with unscannable content gets, or null when there is none. */
  public String unscannableClass() {
    return unscannableClass == null ? null : unscannableClass.name();
  }

  /**
   * Classifies a request.
   *
   * @param taskClass the task's class, or null (then the default class applies)
   * @param headerValues every value of the {@link #HEADER} header, each one class or a
   *     comma-separated list of them; empty or null when the header is absent
   * @param request the request the detectors read: every key and value except the top-level {@code
   *     model}
   * @throws ApiException 400 when a header value names an unknown class (failing closed: an unknown
   *     class cannot be honoured, so nothing is sent)
   */
  public Decision classify(String taskClass, List<String> headerValues, JsonNode request) {
    return classify(taskClass, headerValues, request, false);
  }

  /**
   * Classifies a request that may carry content no detector can read, e.g. an embeddings request of
   * token ids: such content gets the unscannable class, as unreadable content parts do.
   *
   * @param opaque whether the request carries content the detectors cannot read, whatever the
   *     reader finds
   * @see #classify(String, List, JsonNode)
   */
  public Decision classify(
      String taskClass, List<String> headerValues, JsonNode request, boolean opaque) {
    List<ClassRule> declared = headerClasses(headerValues);
    // Class name -> why it applies; the first reason found is kept.
    Map<String, String> applied = new LinkedHashMap<>();
    String base = taskClass != null ? taskClass : defaultClass;
    if (base != null && classes.containsKey(base)) {
      applied.put(base, taskClass != null ? "task" : "default");
    }
    for (ClassRule rule : declared) {
      applied.putIfAbsent(rule.name(), "header");
    }
    if (hasDetectors || unscannableClass != null) {
      RequestContent content = RequestContentReader.read(request, hasDetectors);
      if (hasDetectors) {
        detect(content.text(), applied);
      }
      if ((opaque || content.unscannable()) && unscannableClass != null) {
        applied.putIfAbsent(unscannableClass.name(), "unscannable");
      }
    }
    return decision(applied);
  }

  private List<ClassRule> headerClasses(List<String> headerValues) {
    List<ClassRule> out = new ArrayList<>();
    if (headerValues == null) {
      return out;
    }
    for (String value : headerValues) {
      if (value == null) {
        continue;
      }
      for (String name : value.split(",")) {
        String trimmed = name.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        ClassRule rule = classes.get(trimmed);
        if (rule == null) {
          throw new ApiException(
              400,
              "invalid_request_error",
              "unknown_data_class",
              HEADER,
              "data class \"" + trimmed + "\" is not defined; known: " + classes.keySet());
        }
        out.add(rule);
      }
    }
    return out;
  }

  private void detect(String text, Map<String, String> applied) {
    TextSignals signals = TextSignals.of(text);
    for (ClassRule rule : classes.values()) {
      if (applied.containsKey(rule.name())) {
        continue;
      }
      for (SensitiveDataDetector d : rule.detectors()) {
        if (d.matches(text, signals)) {
          applied.put(rule.name(), "detector:" + d.name());
          break;
        }
      }
    }
  }

  private Decision decision(Map<String, String> applied) {
    Set<Locality> allowed = EnumSet.allOf(Locality.class);
    List<String> names = new ArrayList<>(applied.size());
    Map<String, String> reasons = new LinkedHashMap<>();
    for (ClassRule rule : classes.values()) {
      String reason = applied.get(rule.name());
      if (reason != null) {
        allowed.retainAll(rule.allowed());
        names.add(rule.name());
        reasons.put(rule.name(), reason);
      }
    }
    return new Decision(names, allowed, reasons);
  }
}
