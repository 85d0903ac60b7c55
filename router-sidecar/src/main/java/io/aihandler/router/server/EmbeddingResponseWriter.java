package io.aihandler.router.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aihandler.router.provider.EmbeddingVectors;
import io.aihandler.router.routing.RequestRouter;
import io.aihandler.router.runtime.Json;
import io.aihandler.router.runtime.MemoryCharge;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes OpenAI's {@code CreateEmbeddingResponse}: {@code {object: "list", data: [{object:
 * "embedding", index, embedding}], model, usage: {prompt_tokens, total_tokens}}}, the vectors as
 * float arrays or as base64 of little-endian float32s. Written straight to bytes (a tree of
 * millions of number nodes would take eight times the heap), and charged to the request's memory
 * before it is built.
 */
final class EmbeddingResponseWriter {

  /** The longest a float32 is written: {@code -1.23456789E-10} and a comma. */
  static final int FLOAT_TEXT_BYTES = 16;

  private static final int VECTOR_FRAMING_BYTES = 64;
  private static final int ANSWER_FRAMING_BYTES = 256;
  private static final JsonFactory JSON = Json.factory();

  private EmbeddingResponseWriter() {}

  /** The most bytes the answer takes. */
  static long size(float[][] vectors, boolean base64, String model) {
    long n = ANSWER_FRAMING_BYTES + 2L * model.length() * 6;
    for (float[] v : vectors) {
      n +=
          VECTOR_FRAMING_BYTES
              + (base64 ? 4L * ((4L * v.length + 2) / 3) : (long) FLOAT_TEXT_BYTES * v.length);
    }
    return n;
  }

  /** The answer's bytes, to be sent from the buffer as they are (no copy of it is made). */
  static ByteArrayOutputStream write(
      RequestRouter.Embeddings answer, boolean base64, String model, MemoryCharge memory) {
    long size = size(answer.vectors(), base64, model);
    memory.charge(size);
    ByteArrayOutputStream out =
        new ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE - 16));
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      float[][] vectors = answer.vectors();
      for (int i = 0; i < vectors.length; i++) {
        g.writeStartObject();
        g.writeStringField("object", "embedding");
        g.writeNumberField("index", i);
        if (base64) {
          g.writeStringField("embedding", EmbeddingVectors.toBase64(vectors[i]));
        } else {
          g.writeFieldName("embedding");
          g.writeStartArray();
          for (float f : vectors[i]) {
            g.writeNumber(f);
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("model", model);
      g.writeObjectFieldStart("usage");
      g.writeNumberField("prompt_tokens", answer.promptTokens());
      g.writeNumberField("total_tokens", answer.promptTokens());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory does not fail", e);
    }
    return out;
  }
}
