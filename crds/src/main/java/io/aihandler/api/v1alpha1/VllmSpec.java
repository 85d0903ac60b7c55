package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;

/** A model served by vLLM on the cluster's GPUs; the operator runs and autoscales it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.replicas) && has(self.scaling))",
    message =
        "set either replicas (a fixed number of vLLM pods) or scaling (autoscaled between"
            + " minReplicas and maxReplicas), not both")
@ValidationRule(
    value = "!has(self.tensorParallelSize) || self.gpus % self.tensorParallelSize == 0",
    message =
        "gpus must be a multiple of tensorParallelSize (gpus = tensor x pipeline parallel size)")
// vLLM reads a flag under more spellings than its name: the short alias of
// --tensor-parallel-size (-tp, vllm/engine/arg_utils.py), underscores for dashes
// (FlexibleArgumentParser), and any unambiguous prefix (argparse's allow_abbrev). Each of them is
// refused for the flags typed fields own; "-" and "--" alone are not flags.
@ValidationRule(
    value =
        "!has(self.args) || self.args.all(a, !(a.startsWith('-') && a != '-' && a != '--' &&"
            + " ['--model', '--served-model-name', '--revision', '--tensor-parallel-size', '-tp',"
            + " '--max-model-len', '--gpu-memory-utilization', '--host', '--port'].exists(f,"
            + " f.startsWith(a.split('=')[0].replace('_', '-')) && f.startsWith('--') =="
            + " a.startsWith('--'))))",
    message =
        "args must not set flags that typed fields own (--model, --served-model-name, --revision,"
            + " --tensor-parallel-size or -tp, --max-model-len, --gpu-memory-utilization, --host,"
            + " --port), under any spelling vLLM accepts (aliases, underscores, abbreviations):"
            + " use the fields instead")
@ValidationRule(
    value =
        "!has(self.args) || self.args.all(a, !(a.startsWith('--') && a != '--' && ['--runner',"
            + " '--convert', '--task'].exists(f, f.startsWith(a.split('=')[0].replace('_', '-')))))",
    message =
        "args must not set --runner, --convert or --task: the runner follows capabilities (a"
            + " backend with capabilities.embeddings runs --runner=pooling --convert=embed, any"
            + " other vLLM's default)")
@ValidationRule(
    value =
        "!has(self.resources) || ((!has(self.resources.limits) ||"
            + " !self.resources.limits.exists(r, (has(self.gpuResourceName) && r =="
            + " self.gpuResourceName) || r.endsWith('/gpu'))) && (!has(self.resources.requests) ||"
            + " !self.resources.requests.exists(r, (has(self.gpuResourceName) && r =="
            + " self.gpuResourceName) || r.endsWith('/gpu'))))",
    message =
        "resources must not request GPUs (gpuResourceName or any <vendor>/gpu): set gpus, and"
            + " gpuResourceName for a non-NVIDIA GPU; the operator sets the GPU requests and limits"
            + " from them")
public record VllmSpec(
    @JsonPropertyDescription(
            "Where the weights come from: hf://<org>/<name> (Hugging Face Hub),"
                + " pvc://<claim>/<path> (a PersistentVolumeClaim in this namespace) or"
                + " s3://<bucket>/<prefix>.")
        @Required
        @Size(max = 512)
        @Pattern(ApiPatterns.MODEL_URI)
        String model,
    @JsonPropertyDescription(
            "Model revision (branch, tag or commit) on the Hugging Face Hub. Pin a commit for"
                + " reproducible rollouts.")
        @Size(max = 128)
        String revision,
    @JsonPropertyDescription(
            "Model name vLLM serves and routers send (--served-model-name). Default: the"
                + " ModelBackend's name.")
        @Size(min = 1, max = 253)
        String servedModelName,
    @JsonPropertyDescription(
            "vLLM container image. Default: the vllm/vllm-openai image pinned by this operator"
                + " release. Pin a digest in production.")
        @Size(min = 1, max = 512)
        String image,
    @JsonPropertyDescription("GPUs per replica, requested under gpuResourceName.")
        @Default("1")
        @Min(1)
        @Max(16)
        Integer gpus,
    @JsonPropertyDescription(
            "Tensor-parallel size (--tensor-parallel-size). Default: gpus, i.e. the model is"
                + " sharded across all GPUs of the pod.")
        @Min(1)
        @Max(16)
        Integer tensorParallelSize,
    @JsonPropertyDescription(
            "Extended resource name of the GPU, e.g. nvidia.com/gpu or amd.com/gpu.")
        @Default("nvidia.com/gpu")
        @Size(max = 253)
        @Pattern(ApiPatterns.EXTENDED_RESOURCE)
        String gpuResourceName,
    @JsonPropertyDescription(
            "Maximum context length in tokens (--max-model-len). Lower it to fit the KV cache on"
                + " smaller GPUs. Default: the model's own.")
        @Min(1)
        Integer maxModelLen,
    @JsonPropertyDescription(
            "Fraction of each GPU's memory vLLM may use (--gpu-memory-utilization), above 0 and at"
                + " most 1. Default: vLLM's (0.9).")
        @Min(value = 0, inclusive = false)
        @Max(1)
        Double gpuMemoryUtilization,
    @JsonPropertyDescription(
            "Extra arguments appended to `vllm serve`, e.g. [\"--enable-prefix-caching\"]."
                + " Flags owned by typed fields (--model, --tensor-parallel-size, ...) and the"
                + " runner flags (--runner, --convert, --task; the runner follows"
                + " capabilities.embeddings) are refused, so there is one source of truth.")
        @Size(max = 64)
        List<@Size(max = 1024) String> args,
    @JsonPropertyDescription("Extra environment variables of the vLLM container.") @Size(max = 64)
        List<EnvVar> env,
    @JsonPropertyDescription(
            "CPU and memory requests/limits of the vLLM container. GPUs come from gpus and must not"
                + " be set here.")
        ResourceRequirements resources,
    @JsonPropertyDescription("Where the vLLM pods may run: node selection, tolerations, spread.")
        Placement placement,
    @JsonPropertyDescription(
            "Secret key holding a Hugging Face token, exposed to vLLM as HF_TOKEN. Needed for"
                + " gated models such as Llama.")
        SecretKeyRef hfTokenSecretRef,
    @JsonPropertyDescription(
            "Persistent model cache, so a restarted or added pod does not download the weights"
                + " again. Without it the cache is an emptyDir.")
        ModelCache cache,
    @JsonPropertyDescription(
            "How long a pod may take to download and load the model before it is restarted. Sizes"
                + " the startup probe on /health.")
        @Default("30m")
        @Pattern(ApiPatterns.DURATION)
        String startupTimeout,
    @JsonPropertyDescription(
            "Fixed number of vLLM pods. Mutually exclusive with scaling; this is the field"
                + " `kubectl scale` sets. Default when neither is set: 1.")
        @SpecReplicas
        @Min(0)
        @Max(1000)
        Integer replicas,
    @JsonPropertyDescription(
            "Autoscaling on vLLM's own load metrics. The operator writes the Deployment's replicas"
                + " and this resource's status, never its spec, so GitOps tools see no drift.")
        Scaling scaling) {}
