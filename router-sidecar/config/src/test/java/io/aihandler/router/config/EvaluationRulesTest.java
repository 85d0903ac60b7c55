package io.aihandler.router.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A task's {@code evaluate} and the sidecar's shadow bounds, checked when a document loads. */
class EvaluationRulesTest {

  private static final String DOC =
      """
      sidecar: {%s}
      backends:
        - {name: gpt, provider: openai-compatible, baseUrl: "https://api.openai.com/v1", model: gpt-4o}
        - {name: llama, provider: vllm, baseUrl: "http://llama:8000/v1", model: llama}
        - name: embed
          provider: vllm
          baseUrl: "http://embed:8000/v1"
          model: bge
          capabilities: {chat: false, embeddings: {dimensions: 1024}}
      dataClasses:
        - {name: internal, allowedLocalities: [in-cluster, external]}
        - {name: restricted, allowedLocalities: [in-cluster]}
      defaultDataClass: internal
      routes:
        - {name: hosted, targets: [{backend: gpt}]}
        - {name: local, targets: [{backend: llama}]}
      tasks:
        - name: classify
          route: %s
          %s
          evaluate: %s
      """;

  static List<String> problems(String sidecar, String route, String taskLine, String evaluate) {
    try {
      RouterConfigLoader.parse(DOC.formatted(sidecar, route, taskLine, evaluate), "eval.yaml");
      return List.of();
    } catch (InvalidRouterConfigException e) {
      return e.problems();
    }
  }

  static List<String> problems(String evaluate) {
    return problems("", "hosted", "", evaluate);
  }

  @Test
  void aCandidateThatExistsAndChatsWithARateAndACapIsAccepted() throws Exception {
    assertThat(problems("{candidates: [{backend: llama, sampleRate: 0.1}], dailyCostCap: 5}"))
        .isEmpty();
    assertThat(problems("{candidates: [{backend: llama, sampleRate: 0}], dailyCostCap: 0}"))
        .isEmpty();
    RouterConfig c =
        RouterConfigLoader.parse(
            DOC.formatted("", "hosted", "", "{candidates: [{backend: llama, sampleRate: 1}]}"),
            "eval.yaml");
    assertThat(c.task("classify").orElseThrow().evaluate().candidates())
        .containsExactly(new EvaluationCandidate("llama", 1.0));
  }

  @Test
  void anUnknownCandidateIsRefused() {
    assertThat(problems("{candidates: [{backend: mistral, sampleRate: 0.1}]}"))
        .containsExactly("tasks[0].evaluate.candidates[0].backend: no backend \"mistral\"");
  }

  @Test
  void ratesOutsideZeroToOneAndNegativeCapsAreRefused() {
    assertThat(problems("{candidates: [{backend: llama, sampleRate: 1.5}], dailyCostCap: -1}"))
        .containsExactly(
            "tasks[0].evaluate.dailyCostCap: must be a number of US dollars, at least 0",
            "tasks[0].evaluate.candidates[0].sampleRate: must be from 0 to 1");
    assertThat(problems("{candidates: [{backend: llama}]}"))
        .containsExactly("tasks[0].evaluate.candidates[0].sampleRate: must be from 0 to 1");
  }

  @Test
  void noCandidatesTooManyAndTwiceTheSameAreRefused() {
    assertThat(problems("{candidates: []}"))
        .containsExactly("tasks[0].evaluate.candidates: 1 to 8 candidates");
    assertThat(
            problems(
                "{candidates: [{backend: llama, sampleRate: 0.1},"
                    + " {backend: llama, sampleRate: 0.2}]}"))
        .containsExactly(
            "tasks[0].evaluate.candidates[1].backend: backend llama is a candidate twice");
  }

  @Test
  void aCandidateThatDoesNotChatIsRefused() {
    assertThat(problems("{candidates: [{backend: embed, sampleRate: 0.1}]}"))
        .containsExactly(
            "tasks[0].evaluate.candidates[0].backend: backend embed does not chat"
                + " (capabilities.chat: false), so it cannot answer task classify");
  }

  @Test
  void aCandidateTheTasksDataClassForbidsIsRefusedEvenOffTheRoute() {
    assertThat(
            problems(
                "",
                "local",
                "dataClass: restricted",
                "{candidates: [{backend: gpt, sampleRate: 1}]}"))
        .containsExactly(
            "tasks[0].evaluate.candidates[0].backend: backend gpt is external, which data class"
                + " restricted of task classify does not allow");
    // The default class applies to a task without one of its own.
    assertThat(problems("", "local", "", "{candidates: [{backend: gpt, sampleRate: 1}]}"))
        .isEmpty();
  }

  @Test
  void theShadowBoundsAreChecked() {
    String ok = "{candidates: [{backend: llama, sampleRate: 0.1}]}";
    assertThat(
            problems(
                "shadowConcurrency: 0, shadowQueue: 0, shadowMemoryBytes: 0", "hosted", "", ok))
        .isEmpty();
    assertThat(
            problems(
                "shadowConcurrency: 65, shadowQueue: -1, shadowMemoryBytes: 2000000000",
                "hosted",
                "",
                ok))
        .containsExactly(
            "sidecar.shadowConcurrency: 65 is outside 0..64",
            "sidecar.shadowQueue: -1 is outside 0..10000",
            "sidecar.shadowMemoryBytes: 2000000000 is outside 0..1073741824 (1 GiB)");
    SidecarSettings defaults = SidecarSettings.DEFAULTS;
    assertThat(defaults.shadowConcurrency()).isEqualTo(2);
    assertThat(defaults.shadowQueue()).isEqualTo(8);
    assertThat(defaults.shadowMemoryBytes()).isEqualTo(1024 * 1024);
  }
}
