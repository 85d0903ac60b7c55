package io.aihandler.router.upstream;

import io.helidon.http.ClientResponseHeaders;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import io.helidon.webclient.api.WebClientServiceRequest;
import io.helidon.webclient.api.WebClientServiceResponse;
import io.helidon.webclient.spi.WebClientService;

/**
 * Marks an answer whose body has no length (neither {@code Content-Length} nor chunked: it ends
 * when the server closes the connection, as several servers send streams) as closing its
 * connection. Helidon otherwise takes such a body for an empty one when it is closed, and hands the
 * connection back to its pool: an answer abandoned early would keep arriving on it, and the next
 * request on it would read the rest as its own answer.
 */
final class CloseDelimitedBodies implements WebClientService {

  @Override
  public WebClientServiceResponse handle(Chain chain, WebClientServiceRequest request) {
    WebClientServiceResponse response = chain.proceed(request);
    ClientResponseHeaders headers = response.headers();
    int status = response.status().code();
    boolean bodiless = status / 100 == 1 || status == 204 || status == 304;
    if (bodiless
        || headers.contentLength().isPresent()
        || headers.contains(HeaderValues.TRANSFER_ENCODING_CHUNKED)
        || headers.contains(HeaderValues.CONNECTION_CLOSE)) {
      return response;
    }
    WritableHeaders<?> closing = WritableHeaders.create(headers);
    closing.set(HeaderValues.CONNECTION_CLOSE);
    return WebClientServiceResponse.builder(response)
        .headers(ClientResponseHeaders.create(closing))
        .build();
  }
}
