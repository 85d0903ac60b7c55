package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart's {@code logFormat} reaches the operator as {@code LOG_FORMAT}, text by default. */
class ChartLogFormatTest {

  @Test
  void theOperatorLogsTextUnlessJsonIsAskedFor() {
    assertThat(ChartRenderer.render().operatorEnvironment()).containsEntry("LOG_FORMAT", "text");
    assertThat(ChartRenderer.render(Map.of("logFormat", "json")).operatorEnvironment())
        .containsEntry("LOG_FORMAT", "json")
        .containsEntry("LOG_LEVEL", "info");
  }

  @Test
  void anyOtherFormatIsRefusedByTheValuesSchema() {
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("logFormat", "xml")))
        .hasMessageContaining("logFormat");
  }

  @Test
  void extraEnvCannotOverrideTheFormat() {
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    Map.of("extraEnv[0].name", "LOG_FORMAT", "extraEnv[0].value", "json")))
        .hasMessageContaining("extraEnv sets LOG_FORMAT");
  }
}
