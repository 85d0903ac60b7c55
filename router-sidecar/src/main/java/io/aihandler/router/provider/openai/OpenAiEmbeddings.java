package io.aihandler.router.provider.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.EmbeddingRequest;
import io.aihandler.router.provider.EmbeddingResult;
import io.aihandler.router.provider.EmbeddingTranslator;
import io.aihandler.router.provider.EmbeddingVectors;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.provider.openai.OpenAiTranslator.Flavor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's {@code POST /embeddings}, which OpenAI, vLLM and OpenAI-compatible servers serve at
 * their base URL and Azure OpenAI at {@code /openai/deployments/{deployment}/embeddings}.
 *
 * <p>OpenAI and vLLM are asked for base64 whatever the client wants: it is the exact float32 bits
 * in about 5.3 bytes a value, where OpenAI's pretty-printed float array takes up to 30, so six
 * times the vectors fit the same answer limit. Azure deployments and other compatible servers are
 * asked for floats, which every one of them serves. The router encodes for the client.
 */
final class OpenAiEmbeddings implements EmbeddingTranslator {

  /** Most inputs OpenAI takes in one call. */
  static final int MAX_INPUTS = 2048;

  /** A pretty-printed float: indentation, up to 22 characters of digits, comma and newline. */
  static final int FLOAT_TEXT_BYTES = 32;

  /** Each vector's object around its values: index, object, brackets, indentation. */
  static final int VECTOR_FRAMING_BYTES = 128;

  /** The answer's own fields: object, model, usage. */
  static final int ANSWER_FRAMING_BYTES = 512;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Flavor flavor;
  private final String apiVersion;

  OpenAiEmbeddings(Flavor flavor, String apiVersion) {
    this.flavor = flavor;
    this.apiVersion = apiVersion;
  }

  private boolean asksForBase64() {
    return flavor == Flavor.OPENAI || flavor == Flavor.VLLM;
  }

  @Override
  public String refusal(EmbeddingRequest request) {
    return request.inputs() > MAX_INPUTS
        ? "the OpenAI embeddings API takes at most " + MAX_INPUTS + " inputs in one call"
        : null;
  }

  @Override
  public UpstreamRequest toUpstream(EmbeddingRequest request, String model) {
    ObjectNode body = JSON.objectNode();
    if (flavor != Flavor.AZURE) {
      body.put("model", model);
    }
    ArrayNode input = body.putArray("input");
    if (request.isTokens()) {
      for (int[] ids : request.tokens()) {
        ArrayNode a = input.addArray();
        for (int id : ids) {
          a.add(id);
        }
      }
    } else {
      request.texts().forEach(input::add);
    }
    body.put("encoding_format", asksForBase64() ? "base64" : "float");
    if (request.dimensions() != null) {
      body.put("dimensions", request.dimensions());
    }
    if (request.user() != null) {
      body.put("user", request.user());
    }
    String path = OpenAiTranslator.operationPath(flavor, model, apiVersion, "embeddings");
    return new UpstreamRequest(
        path,
        Map.of("content-type", "application/json", "accept", "application/json"),
        body,
        false);
  }

  @Override
  public long expectedAnswerBytes(int inputs, int dimensions) {
    long perVector =
        asksForBase64()
            ? 4L * ((4L * dimensions + 2) / 3) + VECTOR_FRAMING_BYTES
            : (long) FLOAT_TEXT_BYTES * dimensions + VECTOR_FRAMING_BYTES;
    return ANSWER_FRAMING_BYTES + perVector * inputs;
  }

  @Override
  public EmbeddingResult toResult(byte[] upstreamBody) {
    List<Integer> indices = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    Long promptTokens = null;
    boolean sawData = false;
    try (JsonParser p = EmbeddingVectors.JSON.createParser(upstreamBody)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("the answer is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("data".equals(field) && value == JsonToken.START_ARRAY) {
          sawData = true;
          while (p.nextToken() == JsonToken.START_OBJECT) {
            readItem(p, indices, vectors);
          }
        } else if ("usage".equals(field) && value == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("prompt_tokens".equals(name) && v == JsonToken.VALUE_NUMBER_INT) {
              promptTokens = p.getLongValue();
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("the answer is not valid JSON");
    }
    if (!sawData) {
      throw new IllegalArgumentException("the answer has no 'data' array");
    }
    int[] idx = indices.stream().mapToInt(Integer::intValue).toArray();
    return new EmbeddingResult(idx, vectors.toArray(new float[0][]), promptTokens);
  }

  private static void readItem(JsonParser p, List<Integer> indices, List<float[]> vectors)
      throws IOException {
    Integer index = null;
    float[] vector = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if ("index".equals(name) && v == JsonToken.VALUE_NUMBER_INT) {
        index = p.getIntValue();
      } else if ("embedding".equals(name)) {
        vector = EmbeddingVectors.read(p);
      } else {
        p.skipChildren();
      }
    }
    if (index == null || vector == null) {
      throw new IllegalArgumentException("an embedding without 'index' or 'embedding'");
    }
    indices.add(index);
    vectors.add(vector);
  }
}
