package io.aihandler.demo;

/**
 * {@code bash demo/run.sh}: the whole product on this machine, no cluster needed. Exits 0 when
 * every scene's expectations held, 1 with the reason otherwise.
 */
public final class DemoMain {

  private DemoMain() {}

  public static void main(String[] args) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    // slf4j-simple reads its level once, when the first logger is made: set it before that.
    // The scenes print what matters; the operator's own log would drown them.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "error");
    // The sidecar's jar names its own libraries in its manifest, slf4j-jdk14 among them (in a pod
    // its log goes through java.util.logging); here slf4j-simple is the one that must answer.
    System.setProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
    System.setProperty("slf4j.internal.verbosity", "WARN");
    DemoConsole console = new DemoConsole(System.out, 8);
    console.title("AI Handler demo: operator + router sidecar on an embedded Kubernetes API");
    int status;
    try (EmbeddedDemo demo = new EmbeddedDemo(console)) {
      demo.play();
      console.blank();
      console.line(
          String.format(java.util.Locale.ROOT, "Demo finished in %.1fs.", console.seconds()));
      status = 0;
    } catch (DemoFailure e) {
      console.failure(e.getMessage());
      status = 1;
    } catch (RuntimeException e) {
      // A part that could not start or answer (a port, the webhook, the sidecar) says why itself.
      console.failure(e.getMessage() == null ? e.toString() : e.getMessage());
      if (verbose) {
        e.printStackTrace(System.err);
      } else {
        System.out.println("(run with --verbose for the stack trace)");
      }
      status = 1;
    }
    System.out.flush();
    // Informer and HTTP client threads would keep the JVM alive a while: the verdict is in.
    System.exit(status);
  }
}
