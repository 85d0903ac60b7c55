package io.aihandler.router;

import com.openai.core.ObjectMappers;
import com.openai.models.responses.Response;

/** Reads a response object as the OpenAI SDK does, and checks every field it requires. */
final class ResponsesSdk {

  private ResponsesSdk() {}

  static Response parse(String json) {
    try {
      return ObjectMappers.jsonMapper().readValue(json, Response.class).validate();
    } catch (java.io.IOException e) {
      throw new AssertionError("the SDK cannot read the response: " + json, e);
    }
  }
}
