package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Content which, when found in a request, puts the request in the detector's data class. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'regex' ? has(self.pattern) : !has(self.pattern)",
    message = "pattern is required for detector type regex and not allowed for the built-in types")
public record Detector(
    @JsonPropertyDescription("What to look for: email, phone, creditCard, iban, usSsn or regex.")
        @Required
        DetectorType type,
    @JsonPropertyDescription("For type regex: the regular expression.") @Size(min = 1, max = 1024)
        String pattern) {}
