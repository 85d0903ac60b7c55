package io.aihandler.router.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Locale;
import mockwebserver3.MockResponse;

/**
 * Embeddings answers shaped as the real APIs send them: OpenAI's {@code CreateEmbeddingResponse}
 * (pretty-printed, floats or base64), vLLM's (compact, with {@code id} and {@code created}), and
 * Gemini's {@code BatchEmbedContentsResponse}. Vectors are a pure function of a seed, the input's
 * index and the length, so a test knows every value a client must get.
 */
public final class EmbeddingFixtures {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EmbeddingFixtures() {}

  /** The vector a stand-in returns for input {@code index}. */
  public static float[] vector(int seed, int index, int dimensions) {
    float[] v = new float[dimensions];
    for (int j = 0; j < dimensions; j++) {
      v[j] = (float) (Math.sin(seed * 7919.0 + index * 104.729 + j * 1.3) / 7.0);
    }
    return v;
  }

  public static String base64(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return Base64.getEncoder().encodeToString(b.array());
  }

  /** OpenAI's answer for {@code inputs} vectors, pretty-printed as api.openai.com sends it. */
  public static String openAi(
      int seed, int inputs, int dimensions, boolean base64, String model, int tokens) {
    StringBuilder s = new StringBuilder("{\n  \"object\": \"list\",\n  \"data\": [\n");
    for (int i = 0; i < inputs; i++) {
      s.append("    {\n      \"object\": \"embedding\",\n      \"index\": ")
          .append(i)
          .append(",\n      \"embedding\": ");
      float[] v = vector(seed, i, dimensions);
      if (base64) {
        s.append('"').append(base64(v)).append('"');
      } else {
        s.append("[\n");
        for (int j = 0; j < v.length; j++) {
          s.append("        ").append(floatText(v[j])).append(j + 1 < v.length ? ",\n" : "\n");
        }
        s.append("      ]");
      }
      s.append("\n    }").append(i + 1 < inputs ? ",\n" : "\n");
    }
    s.append("  ],\n  \"model\": \"")
        .append(model)
        .append("\",\n  \"usage\": {\n")
        .append("    \"prompt_tokens\": ")
        .append(tokens)
        .append(",\n    \"total_tokens\": ")
        .append(tokens)
        .append("\n  }\n}\n");
    return s.toString();
  }

  /** vLLM's answer: compact, with its own id and created time. */
  public static String vllm(
      int seed, int inputs, int dimensions, boolean base64, String model, int tokens) {
    StringBuilder s =
        new StringBuilder("{\"id\":\"embd-5b7a1c0e2f9d4e8a9c3b6d1f0a2e4c7b\",")
            .append("\"object\":\"list\",\"created\":1741570300,\"model\":\"")
            .append(model)
            .append("\",\"data\":[");
    for (int i = 0; i < inputs; i++) {
      float[] v = vector(seed, i, dimensions);
      s.append(i == 0 ? "" : ",")
          .append("{\"index\":")
          .append(i)
          .append(",\"object\":\"embedding\",\"embedding\":");
      if (base64) {
        s.append('"').append(base64(v)).append('"');
      } else {
        s.append('[');
        for (int j = 0; j < v.length; j++) {
          s.append(j == 0 ? "" : ",").append(floatText(v[j]));
        }
        s.append(']');
      }
      s.append('}');
    }
    s.append("],\"usage\":{\"prompt_tokens\":")
        .append(tokens)
        .append(",\"total_tokens\":")
        .append(tokens)
        .append(",\"completion_tokens\":0,\"prompt_tokens_details\":null}}");
    return s.toString();
  }

  /** Gemini's batchEmbedContents answer, pretty-printed as Google's API sends it. */
  public static String gemini(int seed, int inputs, int dimensions) {
    StringBuilder s = new StringBuilder("{\n  \"embeddings\": [\n");
    for (int i = 0; i < inputs; i++) {
      float[] v = vector(seed, i, dimensions);
      s.append("    {\n      \"values\": [\n");
      for (int j = 0; j < v.length; j++) {
        s.append("        ").append(floatText(v[j])).append(j + 1 < v.length ? ",\n" : "\n");
      }
      s.append("      ]\n    }").append(i + 1 < inputs ? ",\n" : "\n");
    }
    return s.append("  ]\n}\n").toString();
  }

  /** A float32 printed as a provider prints it: its double expansion, as a JSON number. */
  private static String floatText(float f) {
    return String.format(Locale.ROOT, "%.9g", (double) f).replaceAll("(\\.\\d*?)0+$", "$1");
  }

  public static JsonNode json(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static MockResponse ok(String json) {
    return OpenAiFixtures.ok(json);
  }
}
