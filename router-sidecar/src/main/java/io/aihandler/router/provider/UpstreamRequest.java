package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * An HTTP request to a provider, without credentials.
 *
 * @param path path and query relative to the backend's base URL, e.g. {@code /v1/messages} or
 *     {@code /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse}
 * @param headers non-secret headers (content type, API version); credentials come from {@link
 *     ProviderTranslator#authHeaders(String)}
 * @param body the JSON body
 * @param streaming whether the response is a server-sent-event stream
 */
public record UpstreamRequest(
    String path, Map<String, String> headers, JsonNode body, boolean streaming) {}
