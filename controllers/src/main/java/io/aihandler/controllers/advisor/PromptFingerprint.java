package io.aihandler.controllers.advisor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.v1alpha1.Task;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash of what a task asks of a model: its prompt templates, variables, output schema and
 * sampling parameters. Routes, data classes and evaluation candidates are not prompt logic and do
 * not change it.
 */
public final class PromptFingerprint {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private PromptFingerprint() {}

  /** Sixteen hex digits of the SHA-256 of the task's prompt logic, as canonical JSON. */
  public static String of(Task task) {
    ObjectNode logic = JSON.createObjectNode();
    logic.set("prompt", JSON.valueToTree(task.prompt()));
    logic.set("variables", JSON.valueToTree(task.variables()));
    logic.set("output", JSON.valueToTree(task.output()));
    logic.set("parameters", JSON.valueToTree(task.parameters()));
    try {
      // Canonical: object keys sorted, so a reordered schema in Git is no change.
      Object canonical = JSON.treeToValue(logic, Object.class);
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(JSON.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException | java.io.IOException e) {
      throw new IllegalStateException("cannot hash a task's prompt", e);
    }
  }
}
