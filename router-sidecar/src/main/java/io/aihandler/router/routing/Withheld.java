package io.aihandler.router.routing;

import io.aihandler.router.config.Locality;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The backends of a route that a request's data class withheld from it, so a failure can say that
 * fallbacks existed and were skipped because of the data class.
 *
 * @param backends their names, in route order
 * @param localities where they run
 */
record Withheld(List<String> backends, Set<Locality> localities) {

  static final Withheld NONE = new Withheld(List.of(), Set.of());

  boolean none() {
    return backends.isEmpty();
  }

  /** E.g. {@code ; data class restricted withheld backends gpt-4o, claude (external) ...}. */
  String sentence(RoutedCall call) {
    return "; data class "
        + call.decision().label()
        + " withheld backends "
        + String.join(", ", backends)
        + " ("
        + localities.stream().map(Failures::localityName).sorted().collect(Collectors.joining(", "))
        + ") from this request, so they were not tried";
  }
}
