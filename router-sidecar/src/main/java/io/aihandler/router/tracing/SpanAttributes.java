package io.aihandler.router.tracing;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The span attributes the sidecar records: the GenAI semantic conventions' ({@code gen_ai.*},
 * {@code server.*}, {@code error.type}) and AI Handler's own ({@code aihandler.*}).
 */
final class SpanAttributes {

  static final AttributeKey<String> OPERATION = stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER = stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = stringKey("gen_ai.request.model");
  static final AttributeKey<Long> REQUEST_MAX_TOKENS = longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Double> REQUEST_TEMPERATURE = doubleKey("gen_ai.request.temperature");
  static final AttributeKey<String> RESPONSE_MODEL = stringKey("gen_ai.response.model");
  static final AttributeKey<List<String>> FINISH_REASONS =
      stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<Long> INPUT_TOKENS = longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<String> INPUT_MESSAGES = stringKey("gen_ai.input.messages");
  static final AttributeKey<String> OUTPUT_MESSAGES = stringKey("gen_ai.output.messages");
  static final AttributeKey<String> SERVER_ADDRESS = stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = longKey("server.port");
  static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");
  static final AttributeKey<Long> HTTP_STATUS = longKey("http.response.status_code");

  static final AttributeKey<String> REQUEST_ID = stringKey("aihandler.request_id");
  static final AttributeKey<String> ENDPOINT = stringKey("aihandler.endpoint");
  static final AttributeKey<String> TASK = stringKey("aihandler.task");
  static final AttributeKey<String> ROUTE = stringKey("aihandler.route");
  static final AttributeKey<String> DATA_CLASS = stringKey("aihandler.data_class");
  static final AttributeKey<String> BACKEND = stringKey("aihandler.backend");
  static final AttributeKey<Long> ATTEMPT = longKey("aihandler.attempt");
  static final AttributeKey<Long> ATTEMPTS = longKey("aihandler.attempts");
  static final AttributeKey<Boolean> REPAIR = booleanKey("aihandler.repair");
  static final AttributeKey<String> OUTCOME = stringKey("aihandler.outcome");
  static final AttributeKey<String> VALIDATION = stringKey("aihandler.validation");
  static final AttributeKey<Long> REPAIR_ATTEMPTS = longKey("aihandler.repair_attempts");
  static final AttributeKey<String> FALLBACK_REASON = stringKey("aihandler.fallback_reason");

  private SpanAttributes() {}
}
