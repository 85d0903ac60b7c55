package io.aihandler.router.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BoundedJsonReaderTest {

  private final BoundedJsonReader reader = new BoundedJsonReader(8, 5, 10_000, 40_000);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void buildsTheSameTreeAsJackson() throws Exception {
    String json = "{\"a\":[1,2.5,\"x\",true,{\"b\":12345678901234}],\"c\":{\"d\":-1,\"e\":null}}";
    assertThat(reader.readObject(b(json), n -> {})).isEqualTo(new ObjectMapper().readTree(json));
  }

  @Test
  void anArrayPastTheLimitNamesItsPathAndTheSetting() {
    assertThatThrownBy(() -> reader.readObject(b("{\"m\":{\"list\":[1,2,3,4,5,6]}}"), n -> {}))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(413);
              assertThat(e.code()).isEqualTo("json_array_too_long");
              assertThat(e.getMessage()).contains("m.list").contains("sidecar.maxJsonArrayItems");
            });
  }

  @Test
  void nestingPastTheLimitIsRefused() {
    assertThatThrownBy(
            () -> reader.readObject(b("{\"a\":" + "[".repeat(9) + "]".repeat(9) + "}"), n -> {}))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo("json_too_deep"));
    assertThat(reader.readObject(b("{\"a\":" + "[".repeat(7) + "]".repeat(7) + "}"), n -> {}))
        .isNotNull();
  }

  @Test
  void treesAreChargedAsTheyGrowAndRefusedPastTheirCap() {
    AtomicLong charged = new AtomicLong();
    reader.readObject(b("{\"a\":\"" + "x".repeat(1000) + "\"}"), charged::addAndGet);
    assertThat(charged.get()).isBetween(2_000L, 3_000L);
    StringBuilder many = new StringBuilder("{\"a\":[");
    for (int i = 0; i < 5; i++) {
      many.append(i == 0 ? "" : ",").append("[{},{},{},{},{}]");
    }
    BoundedJsonReader small = new BoundedJsonReader(8, 5, 10_000, 2_000);
    assertThatThrownBy(() -> small.readObject(b(many.append("]}").toString()), n -> {}))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo("request_too_complex"));
  }

  @Test
  void aChargeThatRefusesStopsTheParse() {
    BoundedJsonReader r = new BoundedJsonReader(8, 100, 1_000_000, 10_000_000);
    String big = "{\"a\":\"" + "x".repeat(100_000) + "\"}";
    assertThatThrownBy(
            () ->
                r.readObject(
                    b(big),
                    n -> {
                      throw new ApiException(503, "server_error", "overloaded", "no room");
                    }))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo("overloaded"));
  }

  @Test
  void duplicateKeysTrailingValuesAndNonObjectsAreRefused() {
    for (String bad :
        new String[] {"{\"a\":1,\"a\":2}", "{\"a\":1} {}", "[1]", "{\"a\":", "\"x\""}) {
      assertThatThrownBy(() -> reader.readObject(b(bad), n -> {}))
          .as(bad)
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
  }
}
