package io.aihandler.router.responses;

import io.aihandler.router.config.Locality;
import io.aihandler.router.policy.DataPolicy.Decision;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The data classes of a conversation bind every response that continues it: a request that replays
 * restricted turns is restricted, whatever its own text and headers say. Classes only add up and
 * localities only narrow, as within one request.
 */
final class DataClassCarryOver {

  /** Why a class applies when it came from an earlier turn. */
  static final String REASON = "previous_response";

  private DataClassCarryOver() {}

  /** The request's own decision, narrowed by the stored conversation's. */
  static Decision narrow(Decision own, Decision previous) {
    List<String> classes = new ArrayList<>(own.classes());
    Map<String, String> reasons = new LinkedHashMap<>(own.reasons());
    for (String c : previous.classes()) {
      if (!classes.contains(c)) {
        classes.add(c);
        reasons.put(c, REASON);
      }
    }
    Set<Locality> allowed = EnumSet.noneOf(Locality.class);
    allowed.addAll(own.allowed());
    allowed.retainAll(previous.allowed());
    return new Decision(classes, allowed, reasons);
  }
}
