package io.aihandler.demo.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What an embedding model answers in the stand-ins: a unit vector per input, the same for the same
 * text, in OpenAI's wire shape (floats, or little-endian float32 in base64 when asked).
 */
final class ScriptedEmbeddings {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ScriptedEmbeddings() {}

  /** The inputs of an OpenAI embeddings request, as text (token arrays as their numbers). */
  static List<String> inputs(JsonNode request) {
    JsonNode input = request.path("input");
    List<String> out = new ArrayList<>();
    if (input.isTextual()) {
      out.add(input.asText());
    } else if (input.isArray() && !input.isEmpty() && input.get(0).isNumber()) {
      out.add(input.toString());
    } else {
      input.forEach(i -> out.add(i.isTextual() ? i.asText() : i.toString()));
    }
    return out;
  }

  /**
   * The {@code data} and {@code usage} of an OpenAI-shaped answer.
   *
   * @param dimensions the request's {@code dimensions}, or the model's own
   */
  static ObjectNode answer(JsonNode request, int dimensions, String model) {
    boolean base64 = "base64".equals(request.path("encoding_format").asText());
    ObjectNode out = JSON.objectNode();
    out.put("object", "list");
    ArrayNode data = out.putArray("data");
    int tokens = 0;
    List<String> inputs = inputs(request);
    for (int i = 0; i < inputs.size(); i++) {
      float[] v = vector(inputs.get(i), dimensions);
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
          bytes.putFloat(f);
        }
        item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float f : v) {
          values.add(f);
        }
      }
      tokens += Math.max(1, inputs.get(i).length() / 4);
    }
    out.put("model", model);
    out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return out;
  }

  private static float[] vector(String text, int dimensions) {
    SplittableRandom random = new SplittableRandom(seed(text));
    float[] v = new float[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimensions; i++) {
      v[i] *= scale;
    }
    return v;
  }

  private static long seed(String text) {
    long h = 1125899906842597L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = 31 * h + b;
    }
    return h;
  }
}
