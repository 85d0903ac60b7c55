package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A closed model behind a provider's API; the operator checks and distributes its key. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.provider != 'openai-compatible' || has(self.baseUrl)",
    message =
        "provider openai-compatible needs baseUrl, the endpoint's OpenAI-compatible base URL"
            + " (e.g. https://llm.example.com/v1)")
@ValidationRule(
    value = "self.provider != 'azure-openai' || has(self.baseUrl)",
    message =
        "provider azure-openai needs baseUrl, the resource's endpoint"
            + " (e.g. https://my-resource.openai.azure.com)")
@ValidationRule(
    value = "self.provider == 'openai-compatible' || has(self.credentials)",
    messageExpression =
        "'provider ' + self.provider + ' needs credentials.secretRef, the Secret key holding its"
            + " API key'")
@ValidationRule(
    value =
        "!has(self.baseUrl) || !self.baseUrl.matches('^https://(\\\\[[0-9A-Fa-f:.]+\\\\]|[0-9]+(\\\\.[0-9]+){3})(:[0-9]+)?(/.*)?$')",
    message =
        "baseUrl is HTTPS to an IP address, whose certificate cannot be checked against the host;"
            + " use the endpoint's DNS name")
@ValidationRule(
    value = "!has(self.apiVersion) || self.provider == 'azure-openai'",
    message = "apiVersion applies only to provider azure-openai")
public record HostedSpec(
    @JsonPropertyDescription(
            "The provider's API: openai, anthropic, gemini, azure-openai or openai-compatible.")
        @Required
        HostedProvider provider,
    @JsonPropertyDescription(
            "Model identifier as the provider names it, e.g. gpt-4o, claude-sonnet-4-5,"
                + " gemini-2.5-flash; for azure-openai, the deployment name.")
        @Required
        @Size(min = 1, max = 256)
        String model,
    @JsonPropertyDescription(
            "Base URL of the API. Default: the provider's public endpoint. Required for"
                + " openai-compatible and azure-openai.")
        @Size(max = 2048)
        @Pattern(ApiPatterns.HTTP_URL)
        String baseUrl,
    @JsonPropertyDescription("azure-openai only: the api-version query parameter, e.g. 2024-10-21.")
        @Size(max = 64)
        String apiVersion,
    @JsonPropertyDescription(
            "The API key. Optional only for openai-compatible endpoints that need no key.")
        HostedCredentials credentials,
    @JsonPropertyDescription(
            "Other namespaces that may use this backend and receive its key. Default: only this"
                + " namespace.")
        ShareWith shareWith,
    @JsonPropertyDescription(
            "Check the key with the provider's cheapest authenticated call (listing models) and"
                + " report it in the CredentialsValid condition; re-checked periodically and on"
                + " rotation.")
        @Default("true")
        Boolean verify) {}
