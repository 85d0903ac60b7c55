package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Optional;

/**
 * The whole router document: what one sidecar serves. The operator renders it from a Workflow, its
 * RoutingPolicy and the ModelBackends they name; standalone users write it by hand.
 *
 * @param sidecar the sidecar's own settings (listen address, logging, limits)
 * @param backends model endpoints the routes may use
 * @param routes named kinds of work and the backends that serve them
 * @param dataClasses data classes and the backend localities they may reach
 * @param defaultDataClass class of requests whose task names none; a header adds classes to it,
 *     never replaces it; null means unrestricted unless a detector fires
 * @param unscannableDataClass class of requests carrying content the detectors cannot read (images,
 *     audio, files, data URLs); null means the class with detectors that allows the fewest
 *     localities, or none when no class has detectors
 * @param tasks the application's LLM tasks
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouterConfig(
    SidecarSettings sidecar,
    List<Backend> backends,
    List<Route> routes,
    List<DataClass> dataClasses,
    String defaultDataClass,
    String unscannableDataClass,
    List<Task> tasks) {

  public RouterConfig {
    sidecar = sidecar == null ? SidecarSettings.DEFAULTS : sidecar;
    backends = backends == null ? List.of() : List.copyOf(backends);
    routes = routes == null ? List.of() : List.copyOf(routes);
    dataClasses = dataClasses == null ? List.of() : List.copyOf(dataClasses);
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
  }

  /** The backend of that name, if any. */
  public Optional<Backend> backend(String name) {
    return backends.stream().filter(b -> b.name().equals(name)).findFirst();
  }

  /** The route of that name, if any. */
  public Optional<Route> route(String name) {
    return routes.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** The task of that name, if any. */
  public Optional<Task> task(String name) {
    return tasks.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The data class of that name, if any. */
  public Optional<DataClass> dataClass(String name) {
    return dataClasses.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}
