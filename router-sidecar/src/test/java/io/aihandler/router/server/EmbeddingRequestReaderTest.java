package io.aihandler.router.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import org.junit.jupiter.api.Test;

/** Every shape of OpenAI's {@code input}, and what is refused, without a server. */
class EmbeddingRequestReaderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static EmbeddingRequestReader.Read read(String body) throws Exception {
    return EmbeddingRequestReader.read((ObjectNode) JSON.readTree(body));
  }

  @Test
  void aString_strings_oneTokenArray_andTokenArrays() throws Exception {
    assertThat(read("{\"model\":\"m\",\"input\":\"a\"}").request().texts()).containsExactly("a");
    assertThat(read("{\"model\":\"m\",\"input\":[\"a\",\"b\"]}").request().texts())
        .containsExactly("a", "b");
    var one = read("{\"model\":\"m\",\"input\":[1,2,3]}").request();
    assertThat(one.inputs()).isEqualTo(1);
    assertThat(one.tokens().getFirst()).containsExactly(1, 2, 3);
    var many =
        read(
            "{\"model\":\"m\",\"input\":[[1],[2,3]],\"dimensions\":64,\"user\":\"u\",\"encoding_format\":\"base64\"}");
    assertThat(many.request().inputs()).isEqualTo(2);
    assertThat(many.request().dimensions()).isEqualTo(64);
    assertThat(many.request().user()).isEqualTo("u");
    assertThat(many.base64()).isTrue();
    assertThat(read("{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"float\"}").base64())
        .isFalse();
  }

  @Test
  void refusesByName_andWithOpenAisWords() {
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"input\":\"a\",\"stream\":true}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo("unsupported_parameter");
              assertThat(e.param()).isEqualTo("stream");
            });
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"input\":[\"ok\",\"\"]}"))
        .hasMessage("'$.input' is invalid: input[1] is an empty string");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"input\":[[1],[\"a\"]]}"))
        .hasMessage("'$.input' is invalid: input[1][0] is not a token id (a non-negative integer)");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"input\":[true]}"))
        .hasMessageContaining("input[0] must be a string, a token id or an array of token ids");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"input\":\"a\",\"dimensions\":65537}"))
        .hasMessageContaining("from 1 to 65536");
  }
}
