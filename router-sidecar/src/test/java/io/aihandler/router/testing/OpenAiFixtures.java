package io.aihandler.router.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;

/** Responses shaped exactly like OpenAI's and vLLM's chat-completions answers. */
public final class OpenAiFixtures {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OpenAiFixtures() {}

  static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An OpenAI chat.completion. */
  public static String openAiCompletion(String content, String finishReason) {
    return """
        {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,\
        "model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":%s,\
        "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"%s"}],\
        "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,\
        "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},\
        "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,\
        "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},\
        "service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}"""
        .formatted(quote(content), finishReason);
  }

  /** A vLLM chat.completion. */
  public static String vllmCompletion(String content, String finishReason) {
    return """
        {"id":"chatcmpl-8d1f6a3c2b7e4f0aa1c9e2d3b4a5f607","object":"chat.completion",\
        "created":1741570300,"model":"llama-3.3-70b","choices":[{"index":0,"message":{"role":"assistant",\
        "reasoning_content":null,"content":%s,"tool_calls":[]},"logprobs":null,\
        "finish_reason":"%s","stop_reason":null}],"usage":{"prompt_tokens":25,"total_tokens":37,\
        "completion_tokens":12,"prompt_tokens_details":null},"prompt_logprobs":null,\
        "kv_transfer_params":null}"""
        .formatted(quote(content), finishReason);
  }

  /** An OpenAI answer calling one tool. */
  public static String openAiToolCall(String name, String argumentsJson) {
    return """
        {"id":"chatcmpl-abc123","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06",\
        "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9pw1qnYScqvGrCH58HWCvFH6",\
        "type":"function","function":{"name":"%s","arguments":%s}}],"refusal":null,"annotations":[]},\
        "logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":82,"completion_tokens":17,\
        "total_tokens":99},"service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}"""
        .formatted(name, quote(argumentsJson));
  }

  public static MockResponse ok(String json) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("content-type", "application/json")
        .addHeader("x-request-id", "req_5a8c1b7e")
        .body(json)
        .build();
  }

  /** The SSE events of an OpenAI stream of these content pieces, with usage and [DONE]. */
  public static List<String> streamEvents(List<String> pieces, boolean done) {
    List<String> events = new ArrayList<>();
    String head =
        "{\"id\":\"chatcmpl-B9MHDbsl\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
            + "\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\","
            + "\"system_fingerprint\":\"fp_fc9f1d7035\",";
    events.add(
        head
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
            + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
    for (String p : pieces) {
      events.add(
          head
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":"
              + quote(p)
              + "},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
    }
    if (done) {
      events.add(
          head
              + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
              + "\"finish_reason\":\"stop\"}],\"usage\":null}");
      events.add(
          head
              + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":"
              + pieces.size()
              + ",\"total_tokens\":"
              + (9 + pieces.size())
              + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
              + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
              + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}");
      events.add("[DONE]");
    }
    return events;
  }

  public static MockResponse sse(List<String> events) {
    StringBuilder body = new StringBuilder();
    for (String e : events) {
      body.append("data: ").append(e).append("\n\n");
    }
    return new MockResponse.Builder()
        .code(200)
        .addHeader("content-type", "text/event-stream; charset=utf-8")
        .body(body.toString())
        .build();
  }

  /** OpenAI's error body. */
  public static MockResponse openAiError(int status, String type, String code, String message) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("content-type", "application/json")
        .body(
            "{\"error\":{\"message\":"
                + quote(message)
                + ",\"type\":\""
                + type
                + "\",\"param\":null,\"code\":"
                + (code == null ? "null" : "\"" + code + "\"")
                + "}}")
        .build();
  }

  /** vLLM's (pre-0.9) error body. */
  public static MockResponse vllmError(int status, String type, String message) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("content-type", "application/json")
        .body(
            "{\"object\":\"error\",\"message\":"
                + quote(message)
                + ",\"type\":\""
                + type
                + "\",\"param\":null,\"code\":"
                + status
                + "}")
        .build();
  }
}
