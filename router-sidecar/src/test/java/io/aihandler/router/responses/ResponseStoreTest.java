package io.aihandler.router.responses;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Locality;
import io.aihandler.router.policy.DataPolicy;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResponseStoreTest {

  private static final DataPolicy.Decision PUBLIC =
      new DataPolicy.Decision(List.of(), EnumSet.allOf(Locality.class));

  private final AtomicLong now = new AtomicLong(1_000);

  private static StoredConversation bytes(int n) {
    return new StoredConversation(new byte[n], PUBLIC);
  }

  @Test
  void anEntryExpiresAfterTheTtl() {
    ResponseStore store = new ResponseStore(10, 1 << 20, Duration.ofSeconds(5), now::get);
    store.put("resp_a", bytes(10));
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(store.get("resp_a")).isNotNull();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(store.get("resp_a")).isNull();
    assertThat(store.size()).isZero();
    assertThat(store.bytes()).isZero();
  }

  @Test
  void theOldestGoFirstWhenTheEntriesOrTheBytesRunOut() {
    ResponseStore store = new ResponseStore(2, 1 << 20, Duration.ofHours(1), now::get);
    store.put("a", bytes(10));
    store.put("b", bytes(10));
    store.put("c", bytes(10));
    assertThat(store.get("a")).isNull();
    assertThat(store.get("b")).isNotNull();
    assertThat(store.get("c")).isNotNull();

    long cap = 3 * (1000 + ResponseStore.ENTRY_OVERHEAD);
    ResponseStore bounded = new ResponseStore(100, cap, Duration.ofHours(1), now::get);
    for (String id : List.of("a", "b", "c", "d")) {
      assertThat(bounded.put(id, bytes(1000))).isTrue();
    }
    assertThat(bounded.get("a")).isNull();
    assertThat(bounded.size()).isEqualTo(3);
    assertThat(bounded.bytes()).isEqualTo(cap);
  }

  @Test
  void anEntryLargerThanTheStoreOrAStoreOfNoEntriesKeepsNothing() {
    ResponseStore store = new ResponseStore(10, 2048, Duration.ofHours(1), now::get);
    assertThat(store.put("a", bytes(4096))).isFalse();
    assertThat(store.size()).isZero();
    ResponseStore none = new ResponseStore(0, 2048, Duration.ofHours(1), now::get);
    assertThat(none.put("a", bytes(1))).isFalse();
    assertThat(none.get("a")).isNull();
  }
}
