package io.aihandler.router.config;

import java.util.List;

/** A router document that cannot be used, with every problem found, each naming its field. */
public class InvalidRouterConfigException extends Exception {

  private final List<String> problems;

  public InvalidRouterConfigException(String source, List<String> problems) {
    super("invalid router config " + source + ": " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, one per entry, e.g. {@code routes[0].targets[1].backend: no backend "x"}. */
  public List<String> problems() {
    return problems;
  }
}
