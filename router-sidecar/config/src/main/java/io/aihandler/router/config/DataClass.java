package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A data class: the backend localities its requests may reach, and detectors that put a request in
 * it. A request in several classes may reach only the localities all of them allow.
 *
 * @param name class name, e.g. restricted, internal, public
 * @param allowedLocalities localities the class may reach
 * @param detectors detectors that put a request in this class when they match
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DataClass(String name, List<Locality> allowedLocalities, List<Detector> detectors) {

  public DataClass {
    allowedLocalities = allowedLocalities == null ? List.of() : List.copyOf(allowedLocalities);
    detectors = detectors == null ? List.of() : List.copyOf(detectors);
  }
}
