package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Capacity;
import io.aihandler.router.config.CapacityState;
import io.aihandler.router.config.Provider;
import io.aihandler.router.runtime.BackendRuntime;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What a request does about a cold target: proceed, spill over or hold, without HTTP. */
class ColdRouteTest {

  private static BackendRuntime backend(String name, CapacityState state) {
    return new BackendRuntime(
        new Backend(
            name,
            state == null ? Provider.OPENAI_COMPATIBLE : Provider.VLLM,
            "http://" + name + ":8000/v1",
            name,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            state == null ? null : new Capacity(state, "ml/" + name)),
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static Function<Backend, CapacityState> configured() {
    return b -> b.capacity() == null ? CapacityState.READY : b.capacity().state();
  }

  @Test
  void aReadyTargetIsTried() {
    List<BackendRuntime> order =
        List.of(backend("llama", CapacityState.READY), backend("gpt", null));
    assertThat(ColdRoute.step(order, 0, configured(), true)).isEqualTo(ColdRoute.PROCEED);
    assertThat(ColdRoute.step(order, 1, configured(), true)).isEqualTo(ColdRoute.PROCEED);
  }

  @Test
  void aColdTargetSpillsOverToTheNextReadyOneWhenTheRouteAllowsIt() {
    List<BackendRuntime> order =
        List.of(
            backend("llama", CapacityState.SCALED_TO_ZERO),
            backend("qwen", CapacityState.STARTING),
            backend("gpt", null));
    assertThat(ColdRoute.step(order, 0, configured(), true))
        .isEqualTo(new ColdRoute.Spill(2, CapacityState.SCALED_TO_ZERO));
    assertThat(ColdRoute.step(order, 1, configured(), true))
        .isEqualTo(new ColdRoute.Spill(2, CapacityState.STARTING));
  }

  @Test
  void withoutSpillOverAColdTargetHoldsTheRequest() {
    List<BackendRuntime> order =
        List.of(backend("llama", CapacityState.SCALED_TO_ZERO), backend("gpt", null));
    assertThat(ColdRoute.step(order, 0, configured(), false))
        .isEqualTo(new ColdRoute.Hold(CapacityState.SCALED_TO_ZERO));
  }

  @Test
  void aRequestWithNoOtherAllowedTargetIsHeldEvenWhenTheRouteSpillsOver() {
    // A restricted request's targets are its in-cluster ones only: nothing to spill over to.
    List<BackendRuntime> order = List.of(backend("llama", CapacityState.STARTING));
    assertThat(ColdRoute.step(order, 0, configured(), true))
        .isEqualTo(new ColdRoute.Hold(CapacityState.STARTING));
  }

  @Test
  void onlyLaterTargetsThatAreReadyAreSpiltOverTo() {
    List<BackendRuntime> order =
        List.of(
            backend("gpt", null),
            backend("llama", CapacityState.SCALED_TO_ZERO),
            backend("qwen", CapacityState.STARTING));
    // The earlier target is not gone back to; the later one is cold too: hold for the first.
    assertThat(ColdRoute.step(order, 1, configured(), true))
        .isEqualTo(new ColdRoute.Hold(CapacityState.SCALED_TO_ZERO));
  }

  @Test
  void whatTheSidecarLearntCountsOverTheConfig() {
    List<BackendRuntime> order =
        List.of(backend("llama", CapacityState.READY), backend("gpt", null));
    Map<String, CapacityState> learnt = Map.of("llama", CapacityState.STARTING);
    Function<Backend, CapacityState> state =
        b -> learnt.getOrDefault(b.name(), configured().apply(b));
    assertThat(ColdRoute.step(order, 0, state, true))
        .isEqualTo(new ColdRoute.Spill(1, CapacityState.STARTING));
  }

  @Test
  void reasonsAndStateNamesAreTheContractsSpelling() {
    assertThat(ColdRoute.reason(CapacityState.SCALED_TO_ZERO)).isEqualTo("scaled_to_zero");
    assertThat(ColdRoute.reason(CapacityState.STARTING)).isEqualTo("starting");
    assertThat(ColdRoute.stateName(CapacityState.SCALED_TO_ZERO)).isEqualTo("scaled-to-zero");
  }
}
