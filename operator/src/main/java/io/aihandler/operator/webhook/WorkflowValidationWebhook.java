package io.aihandler.operator.webhook;

import io.aihandler.api.v1alpha1.Workflow;
import io.javaoperatorsdk.webhook.admission.NotAllowedException;
import io.javaoperatorsdk.webhook.admission.Operation;
import io.javaoperatorsdk.webhook.admission.validation.Validator;
import java.util.List;

/** Validating admission of Workflows: refuses what {@link WorkflowSpecChecks} finds. */
public final class WorkflowValidationWebhook implements Validator<Workflow> {

  @Override
  public void validate(Workflow workflow, Workflow oldWorkflow, Operation operation)
      throws NotAllowedException {
    if (operation == Operation.DELETE) {
      return;
    }
    List<String> problems = WorkflowSpecChecks.problems(workflow);
    if (!problems.isEmpty()) {
      throw new NotAllowedException(
          "Workflow "
              + workflow.getMetadata().getName()
              + " is invalid: "
              + String.join("; ", problems),
          422);
    }
  }
}
