package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.EmbeddingRequest;
import io.aihandler.router.provider.EmbeddingTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.runtime.Json;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * One request as it goes to a backend: translated, serialised once and given its key. Retries of
 * the same target send the same bytes again.
 */
record OutgoingRequest(URI uri, Map<String, String> headers, byte[] body) {

  private static final ObjectMapper MAPPER = Json.mapper();

  /**
   * Translates a chat request for a backend. The data policy is checked one last time here, right
   * before bytes exist that could leave.
   *
   * @throws Untranslatable when the translator cannot express the request (the client's to fix)
   * @throws IllegalStateException when the data class forbids the backend, which routing never
   *     allows to happen
   */
  static OutgoingRequest prepare(
      BackendRuntime b,
      ObjectNode request,
      TranslationContext ctx,
      RoutedCall call,
      CredentialStore credentials) {
    UpstreamRequest up;
    try {
      up = b.translator().toUpstream(request, ctx);
    } catch (RuntimeException e) {
      throw new Untranslatable(e);
    }
    return of(b, up, call, credentials);
  }

  /**
   * Translates an embeddings request for a backend, with the same last check of the data policy.
   *
   * @throws Untranslatable when the backend's provider cannot express the request
   * @throws IllegalStateException when the data class forbids the backend, or the backend serves no
   *     embeddings, which routing never allows to happen
   */
  static OutgoingRequest prepareEmbeddings(
      BackendRuntime b, EmbeddingRequest request, RoutedCall call, CredentialStore credentials) {
    EmbeddingTranslator embeddings = b.translator().embeddings();
    if (embeddings == null || !b.config().capabilities().servesEmbeddings()) {
      throw new IllegalStateException("backend " + b.name() + " serves no embeddings");
    }
    UpstreamRequest up;
    try {
      up = embeddings.toUpstream(request, b.config().model());
    } catch (RuntimeException e) {
      throw new Untranslatable(e);
    }
    return of(b, up, call, credentials);
  }

  /**
   * The bytes of a translated request with the backend's key. The data policy is checked one last
   * time here, right before bytes exist that could leave, whatever kind of call made them.
   */
  private static OutgoingRequest of(
      BackendRuntime b, UpstreamRequest up, RoutedCall call, CredentialStore credentials) {
    if (!call.decision().allows(b.config().locality())) {
      throw new IllegalStateException(
          "data class " + call.decision().label() + " forbids backend " + b.name());
    }
    Map<String, String> headers = new HashMap<>(up.headers());
    String key = credentials.key(b.config());
    if (key != null) {
      headers.putAll(b.translator().authHeaders(key));
    }
    byte[] body;
    try {
      body = MAPPER.writeValueAsBytes(up.body());
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
    return new OutgoingRequest(
        UpstreamUris.of(b.config().effectiveBaseUrl() + up.path()), headers, body);
  }

  /**
   * The same request with headers added for one attempt (request id, trace context). They never
   * replace a header the translation or the key set.
   */
  OutgoingRequest withHeaders(Map<String, String> extra) {
    if (extra.isEmpty()) {
      return this;
    }
    Map<String, String> merged = new HashMap<>(extra);
    merged.putAll(headers);
    return new OutgoingRequest(uri, merged, body);
  }

  /** The translator refused the request; the cause says why, in words for the client. */
  static final class Untranslatable extends RuntimeException {
    Untranslatable(RuntimeException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    RuntimeException reason() {
      return (RuntimeException) getCause();
    }
  }

  /** Never the headers: they hold the key. */
  @Override
  public String toString() {
    return "OutgoingRequest[" + uri.getHost() + uri.getPath() + "]";
  }
}
