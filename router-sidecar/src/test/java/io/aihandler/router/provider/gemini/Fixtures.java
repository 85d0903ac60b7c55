package io.aihandler.router.provider.gemini;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.testing.ProviderPayloads;

/** Real-shaped gemini payloads from {@code src/test/resources/provider/gemini/}. */
final class Fixtures {

  static final ObjectMapper MAPPER = ProviderPayloads.MAPPER;

  private Fixtures() {}

  static String text(String name) {
    return ProviderPayloads.text("gemini", name);
  }

  static ObjectNode json(String name) {
    return ProviderPayloads.json("gemini", name);
  }
}
