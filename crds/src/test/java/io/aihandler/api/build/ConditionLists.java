package io.aihandler.api.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.build.EmbeddedKubernetesTypes.Embedding;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * Makes every list of metav1 Conditions a map keyed by {@code type}, as Kubernetes declares its own
 * condition lists ({@code +listType=map}, {@code +listMapKey=type}): server-side apply then merges
 * conditions by type, so two writers of different conditions do not overwrite each other's, and the
 * API server refuses two conditions of one type. A list-map key must be required, so {@code type}
 * (and {@code status}, which every condition has) become required.
 */
final class ConditionLists {

  private ConditionLists() {}

  static void keyByType(JsonNode openApiSchema, List<Embedding> embeddings) {
    for (Embedding embedding : embeddings) {
      List<String> path = embedding.schemaPath();
      if (embedding.type() != Condition.class || !path.getLast().equals("items")) {
        continue;
      }
      String listPointer = "/" + String.join("/", path.subList(0, path.size() - 1));
      ObjectNode list = (ObjectNode) openApiSchema.at(listPointer);
      list.put("x-kubernetes-list-type", "map");
      list.putArray("x-kubernetes-list-map-keys").add("type");
      ((ObjectNode) list.get("items")).putArray("required").add("status").add("type");
    }
  }
}
