package io.aihandler.router.provider.gemini;

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
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Embeddings on Gemini: {@code POST /v1beta/models/{model}:batchEmbedContents} with one {@code
 * EmbedContentRequest} per input ({@code {model: "models/{model}", content: {parts: [{text}]},
 * outputDimensionality}}), answered by {@code {embeddings: [{values: [...]}]}} in input order.
 *
 * <p>Gemini embeds text only: token ids are refused, never decoded. It takes at most {@value
 * #MAX_INPUTS} requests a batch. No {@code taskType} is sent (the OpenAI request has no such field,
 * and Gemini's default serves both queries and documents); {@code user} has no Gemini field and is
 * refused for this provider. The answer counts no tokens; the router estimates them.
 */
final class GeminiEmbeddings implements EmbeddingTranslator {

  /** Most requests Gemini takes in one {@code batchEmbedContents} call. */
  static final int MAX_INPUTS = 100;

  /** A pretty-printed float of Google's JSON: indentation, digits, comma and newline. */
  static final int FLOAT_TEXT_BYTES = 32;

  static final int VECTOR_FRAMING_BYTES = 64;
  static final int ANSWER_FRAMING_BYTES = 64;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @Override
  public String refusal(EmbeddingRequest request) {
    if (request.isTokens()) {
      return "Gemini embeds text only and cannot take token ids";
    }
    if (request.user() != null) {
      return "Gemini has no field for 'user'";
    }
    if (request.inputs() > MAX_INPUTS) {
      return "Gemini's batchEmbedContents takes at most " + MAX_INPUTS + " inputs in one call";
    }
    return null;
  }

  @Override
  public UpstreamRequest toUpstream(EmbeddingRequest request, String model) {
    if (refusal(request) != null) {
      throw new IllegalArgumentException(refusal(request));
    }
    String id = model.startsWith("models/") ? model.substring(7) : model;
    ObjectNode body = JSON.objectNode();
    ArrayNode requests = body.putArray("requests");
    for (String text : request.texts()) {
      ObjectNode r = requests.addObject();
      r.put("model", "models/" + id);
      r.putObject("content").putArray("parts").addObject().put("text", text);
      if (request.dimensions() != null) {
        r.put("outputDimensionality", request.dimensions());
      }
    }
    return new UpstreamRequest(
        "/v1beta/models/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + ":batchEmbedContents",
        Map.of("content-type", "application/json"),
        body,
        false);
  }

  @Override
  public long expectedAnswerBytes(int inputs, int dimensions) {
    return ANSWER_FRAMING_BYTES
        + ((long) FLOAT_TEXT_BYTES * dimensions + VECTOR_FRAMING_BYTES) * inputs;
  }

  @Override
  public EmbeddingResult toResult(byte[] upstreamBody) {
    List<float[]> vectors = new ArrayList<>();
    boolean sawEmbeddings = false;
    try (JsonParser p = EmbeddingVectors.JSON.createParser(upstreamBody)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("the answer is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("embeddings".equals(field) && value == JsonToken.START_ARRAY) {
          sawEmbeddings = true;
          while (p.nextToken() == JsonToken.START_OBJECT) {
            vectors.add(readEmbedding(p));
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("the answer is not valid JSON");
    }
    if (!sawEmbeddings) {
      throw new IllegalArgumentException("the answer has no 'embeddings' array");
    }
    int[] indices = new int[vectors.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    return new EmbeddingResult(indices, vectors.toArray(new float[0][]), null);
  }

  private static float[] readEmbedding(JsonParser p) throws IOException {
    float[] values = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if ("values".equals(name) && v == JsonToken.START_ARRAY) {
        values = EmbeddingVectors.read(p);
      } else {
        p.skipChildren();
      }
    }
    if (values == null) {
      throw new IllegalArgumentException("an embedding without 'values'");
    }
    return values;
  }
}
