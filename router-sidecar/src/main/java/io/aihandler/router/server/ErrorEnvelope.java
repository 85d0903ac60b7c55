package io.aihandler.router.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;

/** The OpenAI error body: <code>{"error": {"message", "type", "param", "code"}}</code>. */
final class ErrorEnvelope {

  private ErrorEnvelope() {}

  static ObjectNode of(ApiException e) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode err = root.putObject("error");
    err.put("message", e.getMessage());
    err.put("type", e.type());
    if (e.param() == null) {
      err.putNull("param");
    } else {
      err.put("param", e.param());
    }
    if (e.code() == null) {
      err.putNull("code");
    } else {
      err.put("code", e.code());
    }
    return root;
  }
}
