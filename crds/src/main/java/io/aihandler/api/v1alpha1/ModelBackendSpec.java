package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Desired state of a ModelBackend: exactly one of {@code vllm} or {@code hosted}. */
@JsonClassDescription(
    "Desired state of the backend: exactly one of vllm (self-hosted) or hosted (a provider API), plus pricing, capabilities, locality and limits.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.vllm) != has(self.hosted)",
    message =
        "set exactly one of spec.vllm (a model the operator serves with vLLM) or spec.hosted (a"
            + " provider's API)")
@ValidationRule(
    value = "!has(self.pricing) || !has(self.pricing.gpuHourly) || has(self.vllm)",
    message = "pricing.gpuHourly applies only to self-hosted (vllm) backends")
@ValidationRule(
    value =
        "!has(self.hosted) || self.hosted.provider != 'anthropic' || !has(self.capabilities)"
            + " || !has(self.capabilities.embeddings)",
    message =
        "capabilities.embeddings cannot be served by provider anthropic: Anthropic has no"
            + " embeddings API")
@ValidationRule(
    value =
        "!has(self.vllm) || !has(self.capabilities) || !has(self.capabilities.embeddings)"
            + " || (has(self.capabilities.chat) && !self.capabilities.chat)",
    message =
        "a vllm backend with capabilities.embeddings must set capabilities.chat: false: vLLM"
            + " serves an embedding model with its pooling runner, which serves no chat (run a"
            + " chat model as its own ModelBackend)")
@ValidationRule(
    value =
        "!has(self.vllm) || !has(self.vllm.scaling) || !has(self.vllm.scaling.metric)"
            + " || self.vllm.scaling.metric != 'kvCache' || !has(self.capabilities)"
            + " || !has(self.capabilities.embeddings)",
    message =
        "scaling.metric kvCache is no load signal for an embedding model (a pooling request holds"
            + " no KV cache beyond its one forward pass): scale it on queue or running")
public record ModelBackendSpec(
    @JsonPropertyDescription("A self-hosted model served by vLLM on this cluster's GPUs.")
        VllmSpec vllm,
    @JsonPropertyDescription("A hosted model behind a provider's API.") HostedSpec hosted,
    @JsonPropertyDescription(
            "What the backend costs; used for cost metering and lowest-cost routing.")
        Pricing pricing,
    @JsonPropertyDescription("What the model can do.") Capabilities capabilities,
    @JsonPropertyDescription(
            "Where the backend runs: in-cluster or external. Data classes decide which localities"
                + " a request may reach. Default: in-cluster for vllm, external for hosted; a"
                + " private-cloud endpoint may declare in-cluster.")
        Locality locality,
    @JsonPropertyDescription("Per-sidecar rate and concurrency limits towards this backend.")
        Limits limits) {}
