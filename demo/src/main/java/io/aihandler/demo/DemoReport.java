package io.aihandler.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The facts each scene of the demo established, as values (the end-to-end test asserts these, not
 * the printed text).
 */
public record DemoReport(
    Startup startup,
    Applied applied,
    Injection injection,
    List<Exchange> exchanges,
    Structured structured,
    Restricted restricted,
    Fallback fallback,
    Repair repair,
    Embeddings embeddings,
    Responses responses,
    Metrics metrics,
    ShadowEvaluationScene.Outcome shadow,
    ColdStartScene.Outcome coldStart) {

  /** Scene 1: the embedded API server and the operator. */
  public record Startup(List<String> crds, int webhookPort, int metricsPort) {}

  /**
   * Scene 2: what applying {@code examples/} led to.
   *
   * @param applied kind/namespace/name of every object applied
   * @param vllm the vLLM workload the operator built
   * @param credentialEntries entry names of the Workflow's credentials Secret (never the values)
   * @param configMap the router ConfigMap's name
   * @param configHash the hash the Workflow status reports
   * @param ready "Kind namespace/name" to the Ready condition's status
   */
  public record Applied(
      List<String> applied,
      VllmWorkload vllm,
      List<String> credentialEntries,
      String configMap,
      String configHash,
      Map<String, String> ready) {}

  /** The vLLM objects the operator created for the in-cluster backend. */
  public record VllmWorkload(
      String deployment,
      int replicas,
      String gpus,
      String image,
      String service,
      int servicePort,
      String cacheClaim,
      String cacheSize,
      String disruptionBudget,
      String endpoint) {}

  /**
   * Scene 3: the app pod after admission.
   *
   * @param sidecar the injected container's name
   * @param nativeSidecar whether it is an init container with {@code restartPolicy: Always}
   * @param volumes volumes the webhook added
   * @param openAiBaseUrl {@code OPENAI_BASE_URL} of the app container
   * @param mappings how the document's pod paths and Service names were mapped locally
   */
  public record Injection(
      String sidecar,
      boolean nativeSidecar,
      List<String> volumes,
      String openAiBaseUrl,
      List<String> mappings) {}

  /** One request through the sidecar: who asked for what and who served it. */
  public record Exchange(
      String scene,
      String client,
      String model,
      int status,
      String route,
      String backend,
      int attempts) {}

  /** A task answer validated against its schema. */
  public record Structured(String task, String backend, boolean valid, JsonNode output) {}

  /**
   * The restricted requests.
   *
   * @param backends backends that served them
   * @param externalCallsDuring model calls the external stand-ins received meanwhile
   * @param restrictedDataOutside whether any external stand-in ever saw the restricted values
   */
  public record Restricted(
      List<String> backends, int externalCallsDuring, boolean restrictedDataOutside) {}

  /** The fallback: how often the first backend refused, and who served. */
  public record Fallback(String route, int refusedByFirst, String backend, int attempts) {}

  /** The repair of invalid output. */
  public record Repair(
      String task, String backend, int attempts, int modelCalls, String reask, JsonNode output) {}

  /**
   * Scene 4f: embeddings held to data classes.
   *
   * @param restrictedBackend who embedded the restricted tickets
   * @param restrictedVectors how many vectors came back for them
   * @param dimensions their length
   * @param internalBackend who embedded the internal articles
   * @param blockedStatus the status of a restricted ticket sent to the hosted-only route
   * @param restrictedDataOutside whether any external stand-in received the restricted text
   */
  public record Embeddings(
      String restrictedBackend,
      int restrictedVectors,
      int dimensions,
      String internalBackend,
      int blockedStatus,
      boolean restrictedDataOutside) {}

  /**
   * Scene 4g: a Responses API call with the app's schema, validated after one repair.
   *
   * @param id the response's id ({@code resp_...})
   * @param backend who served it
   * @param attempts attempts the sidecar made (the repair included)
   * @param output the validated output_text, parsed
   */
  public record Responses(String id, String backend, int attempts, JsonNode output) {}

  /** A few lines of each /metrics. */
  public record Metrics(List<String> sidecar, List<String> operator) {}
}
