package io.aihandler.controllers.spillover;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.controllers.routing.BackendKey;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which spill-over series are a backend's, from the RoutingPolicies that route to its name. */
class SpilloverSelectionTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final BackendKey LLAMA = new BackendKey("models", "llama");

  private static RoutingPolicy policy(String namespace, String name, String... targets) {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: aihandler.io/v1alpha1\nkind: RoutingPolicy\nmetadata: {name: "
                + name
                + ", namespace: "
                + namespace
                + "}\nspec:\n  routes:\n  - name: chat\n    targets:\n");
    for (String target : targets) {
      String[] parts = target.split("/");
      yaml.append(
          parts.length == 1
              ? "    - backend: {name: " + parts[0] + "}\n"
              : "    - backend: {name: " + parts[1] + ", namespace: " + parts[0] + "}\n");
    }
    return YAML.unmarshal(yaml.toString(), RoutingPolicy.class);
  }

  @Test
  void theBareNameCountsWhereNoOtherBackendOfThatNameIsRoutedTo() {
    SpilloverSelection selection =
        SpilloverSelection.of(
            LLAMA,
            List.of(
                policy("models", "own", "llama"),
                policy("support", "routing", "models/llama", "models/gemini"),
                policy("team-b", "routing", "llama"),
                policy("mixed", "one", "models/llama"),
                policy("mixed", "two", "team-b/llama")),
            "namespace");

    assertThat(selection.qualified()).isEqualTo("models.llama");
    assertThat(selection.qualifiedCounted()).isTrue();
    assertThat(selection.qualifiedElsewhere()).isEmpty();
    assertThat(selection.namespaces()).containsExactly("models", "support");
    assertThat(selection.ambiguous()).containsExactly("mixed");
    assertThat(new SpilloverQueries(selection, Duration.ofDays(7)).cost())
        .isEqualTo(
            "sum(increase(aihandler_spillover_cost_usd_total{from=\"models.llama\"}[604800s])"
                + " or increase(aihandler_spillover_cost_usd_total{from=\"llama\","
                + " namespace=~\"models|support\"}[604800s]))");
  }

  @Test
  void aBackendNamedLikeTheQualifiedNameKeepsItsNamespaceOutOfTheQualifiedSeries() {
    // ModelBackend names may hold dots: team-c routes to its own backend "models.llama".
    SpilloverSelection selection =
        SpilloverSelection.of(
            LLAMA,
            List.of(
                policy("support", "routing", "models/llama"),
                policy("team-c", "r", "models.llama")),
            "namespace");

    assertThat(selection.qualifiedElsewhere()).containsExactly("team-c");
    assertThat(new SpilloverQueries(selection, Duration.ofHours(24)).requests())
        .isEqualTo(
            "sum(increase(aihandler_spillovers_total{from=\"models.llama\","
                + " namespace!~\"team-c\"}[86400s])"
                + " or increase(aihandler_spillovers_total{from=\"llama\","
                + " namespace=~\"support\"}[86400s]))");
    assertThat(selection.describe())
        .isEqualTo(
            "from=\"models.llama\" in any namespace but team-c and from=\"llama\" in namespace"
                + " support; not counted, since they may be another backend's:"
                + " from=\"models.llama\" in namespace team-c, which route to a backend of that"
                + " name");
  }

  @Test
  void withoutANamespaceLabelTheBareNameCountsOnlyIfNoOtherBackendHasIt() {
    List<RoutingPolicy> alone =
        List.of(policy("support", "routing", "models/llama"), policy("models", "own", "llama"));
    SpilloverSelection everywhere = SpilloverSelection.of(LLAMA, alone, "");
    assertThat(everywhere.everywhere()).isTrue();
    assertThat(new SpilloverQueries(everywhere, Duration.ofHours(24)).requests())
        .isEqualTo(
            "sum(increase(aihandler_spillovers_total{from=\"models.llama\"}[86400s])"
                + " or increase(aihandler_spillovers_total{from=\"llama\"}[86400s]))");

    SpilloverSelection shared =
        SpilloverSelection.of(
            LLAMA,
            List.of(policy("support", "routing", "models/llama"), policy("team-b", "r", "llama")),
            "");
    assertThat(shared.everywhere()).isFalse();
    assertThat(shared.ambiguous()).containsExactly("support");
    assertThat(new SpilloverQueries(shared, Duration.ofHours(24)).requests())
        .isEqualTo("sum(increase(aihandler_spillovers_total{from=\"models.llama\"}[86400s]))");
    assertThat(shared.describe())
        .endsWith(
            "from=\"llama\" in namespace support, which route to more than one backend of that"
                + " name (the series carry no namespace label)");
  }

  @Test
  void aBackendNoPolicyRoutesToCountsItsQualifiedNameOnly() {
    SpilloverSelection selection =
        SpilloverSelection.of(LLAMA, List.of(policy("team-b", "r", "llama")), "namespace");
    assertThat(selection.namespaces()).isEmpty();
    assertThat(selection.ambiguous()).isEmpty();
    assertThat(selection.describe()).isEqualTo("from=\"models.llama\" in any namespace");
  }
}
