package io.aihandler.controllers.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.TaskAdvice;
import io.aihandler.api.v1alpha1.WorkflowStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The split of a Workflow's status between its two writers, with nothing lost or shared. */
class AdvisorStatusFieldsTest {

  private static Condition condition(String type) {
    return new ConditionBuilder().withType(type).withStatus("True").withReason("R").build();
  }

  private static WorkflowStatus both() {
    WorkflowStatus status = new WorkflowStatus();
    status.setObservedGeneration(3L);
    status.setConfigHash("abc");
    status.setConfigMapName("wf-router");
    status.setConditions(
        List.of(condition("ResolvedRefs"), condition("AdviceAvailable"), condition("Ready")));
    status.setTasks(
        List.of(
            new TaskAdvice(
                "classify",
                null,
                "s",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null)));
    status.setAdvice("classify=closed");
    return status;
  }

  @Test
  void theReconcilersPartHasNoAdviceAndTheAdvisorsPartNothingElse() {
    WorkflowStatus status = both();

    WorkflowStatus own = AdvisorStatusFields.withoutAdvice(status);
    assertThat(own.getTasks()).isNull();
    assertThat(own.getAdvice()).isNull();
    assertThat(own.getConditions())
        .extracting(Condition::getType)
        .containsExactly("ResolvedRefs", "Ready");
    assertThat(own.getConfigHash()).isEqualTo("abc");
    assertThat(own.getObservedGeneration()).isEqualTo(3L);

    WorkflowStatus advice = AdvisorStatusFields.adviceOnly(status);
    assertThat(advice.getConditions())
        .extracting(Condition::getType)
        .containsExactly("AdviceAvailable");
    assertThat(advice.getTasks()).hasSize(1);
    assertThat(advice.getAdvice()).isEqualTo("classify=closed");
    assertThat(advice.getConfigHash()).isNull();
    assertThat(advice.getObservedGeneration()).isNull();

    // The cached status is not touched by either copy.
    assertThat(status.getConditions()).hasSize(3);
    assertThat(status.getTasks()).hasSize(1);
  }

  @Test
  void noStatusYetIsEmptyForBoth() {
    assertThat(AdvisorStatusFields.withoutAdvice(null)).isNull();
    assertThat(AdvisorStatusFields.adviceOnly(null).getConditions()).isEmpty();
  }
}
