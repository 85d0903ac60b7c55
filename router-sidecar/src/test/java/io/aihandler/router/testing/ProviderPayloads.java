package io.aihandler.router.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Real-shaped provider payloads from {@code src/test/resources/provider/<provider>/}. */
public final class ProviderPayloads {

  public static final ObjectMapper MAPPER = new ObjectMapper();

  private ProviderPayloads() {}

  /** The text of {@code src/test/resources/provider/<provider>/<name>}. */
  public static String text(String provider, String name) {
    String path = "/provider/" + provider + "/" + name;
    try (InputStream in = ProviderPayloads.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectNode json(String provider, String name) {
    return (ObjectNode) parse(text(provider, name));
  }

  /**
   * A node as it reads after a trip over the wire, so that comparisons ignore how a number was held
   * in memory (an int and a long of the same value are different Jackson nodes).
   */
  public static JsonNode wire(JsonNode node) {
    return parse(node.toString());
  }

  public static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
