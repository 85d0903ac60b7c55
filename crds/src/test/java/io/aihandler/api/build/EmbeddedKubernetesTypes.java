package io.aihandler.api.build;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where a custom resource embeds Kubernetes' own types (EnvVar, Affinity, Condition, ...): found by
 * walking the Java types the CRD is generated from, so a new embedded field is found without a list
 * to keep up to date.
 */
final class EmbeddedKubernetesTypes {

  /** The package of fabric8's Java model of the Kubernetes API. */
  static final String KUBERNETES_MODEL = "io.fabric8.kubernetes.api.model";

  /**
   * A Kubernetes type at a place of the CRD's {@code openAPIV3Schema}.
   *
   * @param schemaPath the JSON pointer segments from {@code openAPIV3Schema} to the type's schema,
   *     e.g. {@code [properties, spec, properties, vllm, properties, env, items]}
   */
  record Embedding(List<String> schemaPath, Class<?> type) {

    /** The JSON pointer of the schema, e.g. {@code /properties/spec/properties/env/items}. */
    String pointer() {
      return "/" + String.join("/", schemaPath);
    }
  }

  private EmbeddedKubernetesTypes() {}

  /** Every embedding in a custom resource's spec and status. */
  static List<Embedding> of(Class<?> customResource) {
    List<Embedding> found = new ArrayList<>();
    Type[] specAndStatus =
        ((ParameterizedType) customResource.getGenericSuperclass()).getActualTypeArguments();
    walk(specAndStatus[0], List.of("properties", "spec"), found);
    walk(specAndStatus[1], List.of("properties", "status"), found);
    return found;
  }

  private static void walk(Type type, List<String> path, List<Embedding> found) {
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type[] arguments = parameterized.getActualTypeArguments();
      if (Collection.class.isAssignableFrom(raw)) {
        walk(arguments[0], append(path, "items"), found);
      } else if (Map.class.isAssignableFrom(raw)) {
        walk(arguments[1], append(path, "additionalProperties"), found);
      }
      return;
    }
    if (!(type instanceof Class<?> clazz) || clazz.isPrimitive() || clazz.isEnum()) {
      return;
    }
    if (clazz.getPackageName().startsWith(KUBERNETES_MODEL)
        && KubernetesResource.class.isAssignableFrom(clazz)) {
      found.add(new Embedding(path, clazz));
      return;
    }
    if (clazz.getPackageName().startsWith("java.") || JsonNode.class.isAssignableFrom(clazz)) {
      return;
    }
    if (clazz.isRecord()) {
      for (RecordComponent component : clazz.getRecordComponents()) {
        walk(
            component.getGenericType(),
            property(path, component.getName(), component.getAccessor()),
            found);
      }
      return;
    }
    for (Class<?> c = clazz; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers())
            && !field.isAnnotationPresent(JsonIgnore.class)) {
          walk(field.getGenericType(), property(path, field.getName(), field), found);
        }
      }
    }
  }

  private static List<String> property(
      List<String> path, String javaName, AnnotatedElement element) {
    JsonProperty renamed = element.getAnnotation(JsonProperty.class);
    String name = renamed != null && !renamed.value().isEmpty() ? renamed.value() : javaName;
    return append(append(path, "properties"), name);
  }

  private static List<String> append(List<String> path, String segment) {
    List<String> longer = new ArrayList<>(path);
    longer.add(segment);
    return List.copyOf(longer);
  }
}
