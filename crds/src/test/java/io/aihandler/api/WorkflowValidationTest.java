package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.CrdAdmission;
import io.aihandler.api.testing.Manifests;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Workflow specs as the API server would judge them at {@code kubectl apply}. */
class WorkflowValidationTest {

  private static final CrdAdmission ADMISSION = Manifests.admissionFor("workflows");

  private static List<String> admit(String spec) {
    return ADMISSION.admit(
        Manifests.parse(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: Workflow
            metadata:
              name: test
            spec:
            """
                + spec.indent(2)));
  }

  @Test
  void acceptsTasksWithTemplatesSchemasAndParameters() {
    assertThat(
            admit(
                """
                policyRef: {name: support}
                tasks:
                - name: classify-ticket
                  route: bulk
                  dataClass: restricted
                  prompt:
                    system: You classify support tickets.
                    user: "Ticket: {{ticket}}"
                  variables:
                  - name: ticket
                  output:
                    maxRepairAttempts: 2
                    schema:
                      type: object
                      required: [category]
                      properties:
                        category: {type: string, enum: [billing, bug]}
                        confidence: {type: number, minimum: 0, maximum: 1}
                      additionalProperties: false
                  parameters: {temperature: 0, maxTokens: 200}
                  timeout: 20s
                - name: chat
                  route: reasoning
                sidecar:
                  port: 4080
                  logLevel: debug
                  resources:
                    requests: {cpu: 50m, memory: 128Mi}
                """))
        .isEmpty();
  }

  @Test
  void fillsSidecarAndTaskDefaults() {
    var stored =
        ADMISSION.defaulted(
            Manifests.parse(
                """
                apiVersion: aihandler.io/v1alpha1
                kind: Workflow
                spec:
                  policyRef: {name: p}
                  tasks:
                  - name: t
                    route: r
                    output: {schema: {type: object}}
                  sidecar: {}
                """));
    assertThat(stored.at("/spec/sidecar/port").asInt()).isEqualTo(4080);
    assertThat(stored.at("/spec/sidecar/logPrompts").asBoolean(true)).isFalse();
    assertThat(stored.at("/spec/tasks/0/output/maxRepairAttempts").asInt()).isEqualTo(1);
  }

  static Stream<Arguments> refusedSpecs() {
    return Stream.of(
        Arguments.of(
            "duplicate task names",
            """
            policyRef: {name: p}
            tasks:
            - {name: t, route: r}
            - {name: t, route: s}
            """,
            "task names must be unique"),
        Arguments.of("no tasks", "policyRef: {name: p}\ntasks: []", "at least 1 items"),
        Arguments.of("no policy", "tasks: [{name: t, route: r}]", "policyRef"),
        Arguments.of("task without route", "policyRef: {name: p}\ntasks: [{name: t}]", "route"),
        Arguments.of(
            "output without schema",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, output: {maxRepairAttempts: 1}}]",
            "schema"),
        Arguments.of(
            "too many repair attempts",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, output: {schema: {type: object}, maxRepairAttempts: 9}}]",
            "maximum"),
        Arguments.of(
            "duplicate variables",
            """
            policyRef: {name: p}
            tasks:
            - name: t
              route: r
              prompt: {user: "{{a}}"}
              variables: [{name: a}, {name: a}]
            """,
            "task t: variable names must be unique"),
        Arguments.of(
            "variables without a prompt",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, variables: [{name: a}]}]",
            "task t declares variables but has no prompt"),
        Arguments.of(
            "variable name that cannot appear in a template",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, prompt: {user: x}, variables: [{name: 'ticket-text'}]}]",
            "pattern"),
        Arguments.of(
            "an output schema that refers to a remote document",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, output: {schema: {$ref: 'https://example.com/ticket.json'}}}]",
            "pattern"),
        Arguments.of(
            "an output schema with a remote dynamic reference",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, output: {schema: {$dynamicRef: 'other.json#meta'}}}]",
            "pattern"),
        Arguments.of(
            "an output schema of another dialect",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, output: {schema: {$schema: 'http://json-schema.org/draft-07/schema#'}}}]",
            "pattern"),
        Arguments.of(
            "an output schema that is not an object",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, output: {schema: [string]}}]",
            "schema"),
        Arguments.of(
            "a placeholder in the user template and no variables",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, prompt: {user: 'Ticket: {{ticket}}'}}]",
            "task t: the prompt has {{...}} placeholders but the task declares no variables"),
        Arguments.of(
            "a placeholder in the system template and no variables",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, prompt: {system: 'You work for {{ company }}.', user: hi}}]",
            "task t: the prompt has {{...}} placeholders but the task declares no variables"),
        Arguments.of(
            "temperature above 2",
            "policyRef: {name: p}\ntasks: [{name: t, route: r, parameters: {temperature: 3}}]",
            "maximum"),
        Arguments.of(
            "privileged sidecar port",
            "policyRef: {name: p}\ntasks: [{name: t, route: r}]\nsidecar: {port: 80}",
            "minimum"),
        Arguments.of(
            "unknown log level",
            "policyRef: {name: p}\ntasks: [{name: t, route: r}]\nsidecar: {logLevel: verbose}",
            "enum"));
  }

  @Test
  void acceptsLocalReferencesAndBracesThatAreNoPlaceholders() {
    assertThat(
            admit(
                """
                policyRef: {name: support}
                tasks:
                - name: extract
                  route: bulk
                  prompt:
                    system: "Answer as JSON, e.g. {\\"a\\": {\\"b\\": 1}}. A lone {{ opens nothing."
                    user: "{{ on one line\\n}} on the next is no placeholder either"
                  output:
                    schema:
                      $schema: https://json-schema.org/draft/2020-12/schema
                      $ref: "#/$defs/ticket"
                      $defs:
                        ticket: {type: object, properties: {id: {$ref: "#/$defs/id"}}}
                        id: {type: string}
                """))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSpecs")
  void refusesBadSpecsWithAMessageThatSaysWhy(String why, String spec, String expected) {
    assertThat(admit(spec)).as(why).anySatisfy(error -> assertThat(error).contains(expected));
  }
}
