package io.aihandler.router;

import io.aihandler.router.config.RouterConfigLoader;
import io.helidon.webserver.http.HttpRouting;

/**
 * Prepares, on a second thread while the main one starts the sidecar, the parts of the start that
 * do not depend on the config: the config parser's deserializers (built by reflection) and
 * Helidon's routing classes and service registry. The main thread meets each of them later, after
 * the JDK's logger lookup and the metrics registry, and uses what is ready or waits for it, so the
 * start is never slower for it and is shorter by what the two threads did side by side.
 */
final class StartupWarmup {

  private StartupWarmup() {}

  static void begin() {
    Thread.ofPlatform().daemon().name("aihandler-startup-warmup").start(StartupWarmup::run);
  }

  private static void run() {
    try {
      RouterConfigLoader.prepare();
      HttpRouting.builder();
    } catch (RuntimeException | LinkageError e) {
      // The main thread meets the same failure where it can report it.
    }
  }
}
