package io.aihandler.router.provider.anthropic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.testing.ProviderPayloads;

/** Real-shaped anthropic payloads from {@code src/test/resources/provider/anthropic/}. */
final class Fixtures {

  static final ObjectMapper MAPPER = ProviderPayloads.MAPPER;

  private Fixtures() {}

  static String text(String name) {
    return ProviderPayloads.text("anthropic", name);
  }

  static ObjectNode json(String name) {
    return ProviderPayloads.json("anthropic", name);
  }
}
