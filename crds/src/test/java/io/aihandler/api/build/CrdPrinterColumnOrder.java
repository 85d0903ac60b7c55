package io.aihandler.api.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Puts the printer columns back in the order they are declared on the custom resource class.
 * fabric8 7.9 keys them by jsonPath in a TreeMap, which would make {@code kubectl get} print AGE
 * first and READY after REASON. Run by {@link CrdPostProcessor}.
 */
public final class CrdPrinterColumnOrder {

  private CrdPrinterColumnOrder() {}

  static List<String> declaredNames(Class<?> type) {
    return Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
  }

  static void order(ArrayNode columns, List<String> declared) {
    if (columns == null) {
      return;
    }
    List<JsonNode> sorted = new ArrayList<>();
    columns.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(column -> positionOf(declared, column)));
    columns.removeAll();
    columns.addAll(sorted);
  }

  private static int positionOf(List<String> declared, JsonNode column) {
    int index = declared.indexOf(column.path("name").asText());
    return index < 0 ? Integer.MAX_VALUE : index;
  }
}
