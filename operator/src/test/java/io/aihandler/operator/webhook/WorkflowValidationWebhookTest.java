package io.aihandler.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.Manifests;
import io.aihandler.api.v1alpha1.Workflow;
import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.webhook.admission.AdmissionController;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Workflow checks CEL cannot make, through the admission webhook. */
class WorkflowValidationWebhookTest {

  private final AdmissionController<Workflow> controller =
      new AdmissionController<>(new WorkflowValidationWebhook());

  private AdmissionResponse admit(String tasksYaml) {
    return admit(tasksYaml, "");
  }

  private AdmissionResponse admit(String tasksYaml, String specYaml) {
    Workflow workflow =
        Serialization.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: Workflow
            metadata: {name: wf, namespace: team}
            spec:
              policyRef: {name: p}
            """
                + specYaml.indent(2)
                + "  tasks:\n"
                + tasksYaml.indent(4),
            Workflow.class);
    AdmissionRequest request = new AdmissionRequest();
    request.setUid("uid-1");
    request.setKind(new GroupVersionKind("aihandler.io", "Workflow", "v1alpha1"));
    request.setOperation("CREATE");
    request.setNamespace("team");
    request.setObject(workflow);
    AdmissionReview review = new AdmissionReview();
    review.setRequest(request);
    return controller.handle(review).getResponse();
  }

  @Test
  void acceptsDeclaredVariablesAndAValidSchema() {
    AdmissionResponse response =
        admit(
            """
            - name: t
              route: r
              prompt: {system: "Answer in {{ language }}.", user: "{{ticket}}"}
              variables: [{name: ticket}, {name: language}]
              output:
                schema:
                  $schema: https://json-schema.org/draft/2020-12/schema
                  type: object
                  $defs:
                    label: {type: string, pattern: "^[a-z]+$"}
                  properties:
                    label: {$ref: "#/$defs/label"}
            """);
    assertThat(response.getAllowed()).as(String.valueOf(response.getStatus())).isTrue();
  }

  @Test
  void acceptsTheExampleWorkflow() throws Exception {
    Path examples = Manifests.repositoryRoot().resolve("examples");
    try (Stream<Path> files = Files.list(examples)) {
      long workflows =
          files
              .flatMap(file -> Manifests.read(file).stream())
              .filter(object -> object.path("kind").asText().equals("Workflow"))
              .map(object -> Serialization.unmarshal(object.toString(), Workflow.class))
              .peek(workflow -> assertThat(WorkflowSpecChecks.problems(workflow)).isEmpty())
              .count();
      assertThat(workflows).isEqualTo(1);
    }
  }

  @Test
  void refusesATemplateThatUsesAnUndeclaredVariable() {
    AdmissionResponse response =
        admit(
            """
            - name: classify
              route: r
              prompt: {user: "Ticket {{ticket}} from {{customer}}"}
              variables: [{name: ticket}]
            """);
    assertThat(response.getAllowed()).isFalse();
    assertThat(response.getStatus().getCode()).isEqualTo(422);
    assertThat(response.getStatus().getMessage())
        .contains(
            "task classify: prompt.user uses {{customer}} but the task declares no variable customer");
  }

  @Test
  void refusesAPlaceholderThatIsNotAVariableName() {
    AdmissionResponse response =
        admit(
            """
            - name: t
              route: r
              prompt: {system: "{{ticket text}}"}
              variables: [{name: ticket}]
            """);
    assertThat(response.getAllowed()).isFalse();
    assertThat(response.getStatus().getMessage())
        .contains("{{ticket text}}, which is not a variable name");
  }

  @Test
  void refusesASidecarMemoryLimitThatCannotHoldItsHeapAndTheJvm() {
    AdmissionResponse small =
        admit("- {name: t, route: r}", "sidecar: {resources: {limits: {memory: 100Mi}}}");
    assertThat(small.getAllowed()).isFalse();
    assertThat(small.getStatus().getMessage())
        .contains("sidecar.resources.limits.memory 100Mi is below the 128Mi the sidecar needs");

    assertThat(
            admit("- {name: t, route: r}", "sidecar: {resources: {limits: {memory: 256Mi}}}")
                .getAllowed())
        .isTrue();
  }

  @Test
  void refusesSchemasThatDoNotCompile() {
    AdmissionResponse wrongType =
        admit(
            """
            - name: t
              route: r
              output: {schema: {type: objekt}}
            """);
    assertThat(wrongType.getAllowed()).isFalse();
    assertThat(wrongType.getStatus().getMessage())
        .contains("task t: output.schema is not a valid JSON Schema");

    AdmissionResponse badRequired =
        admit(
            """
            - name: t
              route: r
              output: {schema: {type: object, required: category}}
            """);
    assertThat(badRequired.getAllowed()).isFalse();

    AdmissionResponse remote =
        admit(
            """
            - name: t
              route: r
              output: {schema: {$ref: "https://example.com/ticket.json"}}
            """);
    assertThat(remote.getAllowed()).isFalse();
    assertThat(remote.getStatus().getMessage()).contains("only references within the schema");

    AdmissionResponse oldDialect =
        admit(
            """
            - name: t
              route: r
              output: {schema: {$schema: "http://json-schema.org/draft-04/schema#", type: object}}
            """);
    assertThat(oldDialect.getAllowed()).isFalse();
    assertThat(oldDialect.getStatus().getMessage()).contains("only draft 2020-12 is supported");
  }
}
