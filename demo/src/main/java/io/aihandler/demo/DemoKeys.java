package io.aihandler.demo;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The keys of one demo run, fresh each time: recognisable as demo keys by their prefix, accepted
 * only by the local stand-ins, and never printed (the end-to-end test checks the output for them).
 */
public record DemoKeys(String openai, String anthropic, String gemini, String huggingFace) {

  public static DemoKeys generate() {
    SecureRandom random = new SecureRandom();
    return new DemoKeys(
        "sk-demo-openai-" + hex(random),
        "sk-ant-demo-" + hex(random),
        "AIza-demo-gemini-" + hex(random),
        "hf_demo_" + hex(random));
  }

  /** The key that replaces the placeholder of the example Secret of this name. */
  String forSecret(String secretName) {
    return switch (secretName) {
      case "openai-api-key" -> openai;
      case "anthropic-api-key" -> anthropic;
      case "gemini-api-key" -> gemini;
      case "hf-token" -> huggingFace;
      default ->
          throw new DemoFailure(
              "examples/ has a Secret "
                  + secretName
                  + " with a placeholder the demo has no key for");
    };
  }

  /** A projected ServiceAccount token of this run, as the API server would mint one. */
  static String randomToken() {
    return "demo-sa-token-" + hex(new SecureRandom());
  }

  public List<String> all() {
    return List.of(openai, anthropic, gemini, huggingFace);
  }

  private static String hex(SecureRandom random) {
    byte[] bytes = new byte[12];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public String toString() {
    return "DemoKeys[redacted]";
  }
}
