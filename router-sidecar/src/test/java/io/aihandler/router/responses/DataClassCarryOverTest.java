package io.aihandler.router.responses;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Locality;
import io.aihandler.router.policy.DataPolicy.Decision;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataClassCarryOverTest {

  @Test
  void aContinuationTakesEveryStoredClassAndOnlyTheLocalitiesAllOfThemAllow() {
    Decision own =
        new Decision(List.of("public"), EnumSet.allOf(Locality.class), Map.of("public", "default"));
    Decision stored =
        new Decision(
            List.of("restricted"), EnumSet.of(Locality.IN_CLUSTER), Map.of("restricted", "header"));

    Decision d = DataClassCarryOver.narrow(own, stored);

    assertThat(d.classes()).containsExactly("public", "restricted");
    assertThat(d.allowed()).containsExactly(Locality.IN_CLUSTER);
    assertThat(d.reasons()).containsEntry("restricted", DataClassCarryOver.REASON);
    assertThat(d.label()).isEqualTo("public+restricted");
  }

  @Test
  void nothingTheNewRequestSaysWidensWhatTheStoredTurnsAllow() {
    Decision own = new Decision(List.of(), EnumSet.allOf(Locality.class));
    Decision stored = new Decision(List.of("secret"), EnumSet.noneOf(Locality.class));

    assertThat(DataClassCarryOver.narrow(own, stored).allowed()).isEmpty();
  }
}
