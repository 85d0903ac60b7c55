package io.aihandler.operator.activation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The body of an activation: {@code {"modelBackend": "<namespace>/<name>"}}, both parts DNS labels
 * / subdomains. Nothing else is accepted, so a request cannot smuggle anything into logs or
 * metrics.
 *
 * @param namespace the ModelBackend's namespace
 * @param name the ModelBackend's name
 */
public record ActivationRequest(String namespace, String name) {

  /** Largest body read; a valid one is under 300 bytes. */
  public static final int MAX_BODY_BYTES = 1024;

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(4)
                          .maxStringLength(512)
                          .build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** {@code namespace/name}, as the router config names it. */
  public String key() {
    return namespace + "/" + name;
  }

  /** The request in {@code body}, or empty when it is not one. */
  public static Optional<ActivationRequest> parse(byte[] body) {
    if (body.length == 0 || body.length > MAX_BODY_BYTES) {
      return Optional.empty();
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(body);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (tree == null || !tree.isObject() || tree.size() != 1) {
      return Optional.empty();
    }
    Iterator<String> fields = tree.fieldNames();
    if (!"modelBackend".equals(fields.next()) || !tree.get("modelBackend").isTextual()) {
      return Optional.empty();
    }
    return ofKey(tree.get("modelBackend").asText());
  }

  /** A request for {@code namespace/name}, or empty when that is not a valid key. */
  public static Optional<ActivationRequest> ofKey(String key) {
    int slash = key.indexOf('/');
    if (slash < 0 || slash != key.lastIndexOf('/')) {
      return Optional.empty();
    }
    String namespace = key.substring(0, slash);
    String name = key.substring(slash + 1);
    if (!NAMESPACE.matcher(namespace).matches()
        || name.length() > 253
        || !NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return Optional.of(new ActivationRequest(namespace, name));
  }
}
