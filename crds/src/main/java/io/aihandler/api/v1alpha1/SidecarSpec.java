package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The router sidecar injected into the Workflow's pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SidecarSpec(
    @JsonPropertyDescription(
            "Port on 127.0.0.1 the sidecar listens on; apps get OPENAI_BASE_URL pointing at it.")
        @Default("4080")
        @Min(1024)
        @Max(65535)
        Integer port,
    @JsonPropertyDescription(
            "CPU and memory of the sidecar container. Default: 50m/128Mi requests, 256Mi limit."
                + " The JVM's heap is what the memory request leaves beside 96Mi for the JVM"
                + " itself, and at least what the router document needs (32Mi, 33Mi with shadow"
                + " evaluation).")
        ResourceRequirements resources,
    @JsonPropertyDescription("Log level: error, warn, info or debug.") @Default("info")
        LogLevel logLevel,
    @JsonPropertyDescription(
            "Log prompt and completion text. Off by default: logs then hold routing facts only.")
        @Default("false")
        Boolean logPrompts,
    @JsonPropertyDescription(
            "OpenTelemetry traces: a span per request and per upstream attempt, exported over"
                + " OTLP/HTTP. Off unless set.")
        SidecarTracing tracing,
    @JsonPropertyDescription(
            "Log format: text (default, for people) or json (one JSON object per line with the"
                + " request and trace ids).")
        @Default("text")
        LogFormat logFormat,
    @JsonPropertyDescription(
            "The JVM's compilers: quick (default), C1 only, the least memory; full, C1 and C2,"
                + " 20-40% less CPU per request once compiled for about 48Mi more memory (the"
                + " default memory request grows by as much), worth it above about a hundred"
                + " requests per second per pod. Takes effect when pods are re-created.")
        @Default("quick")
        SidecarJit jit) {}
