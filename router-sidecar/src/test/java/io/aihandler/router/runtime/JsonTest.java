package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void everyFactoryDrawsFromTheOneSharedPoolNotAPerThreadOne() {
    ObjectMapper mapper = Json.mapper();
    assertThat(mapper.getFactory()._getRecyclerPool())
        .isSameAs(Json.buffers())
        .isNotSameAs(JsonRecyclerPools.threadLocalPool());
    assertThat(Json.factory()._getRecyclerPool()).isSameAs(Json.buffers());
    assertThat(Json.factoryBuilder().build()._getRecyclerPool()).isSameAs(Json.buffers());
  }

  @Test
  void buffersAThreadUsedOutliveItInThePoolAndThePoolStaysBounded() throws Exception {
    ObjectMapper mapper = Json.mapper();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      mapper.writeValueAsBytes(mapper.readTree("{\"a\":[1,2,3],\"b\":\"text\"}"));
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    // The threads are gone; what they used is back in the pool for the next, and no more of it
    // than the bound.
    assertThat(Json.buffers().pooledCount()).isBetween(1, Json.POOLED_BUFFER_SETS);
  }
}
