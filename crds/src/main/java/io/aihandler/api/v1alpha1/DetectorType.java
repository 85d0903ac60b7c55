package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Built-in detectors of sensitive content in a request, plus custom regular expressions. */
public enum DetectorType {
  @JsonProperty("email")
  EMAIL,
  @JsonProperty("phone")
  PHONE,
  /** Card numbers that pass the Luhn check. */
  @JsonProperty("creditCard")
  CREDIT_CARD,
  /** International bank account numbers with a valid checksum. */
  @JsonProperty("iban")
  IBAN,
  /** US social security numbers. */
  @JsonProperty("usSsn")
  US_SSN,
  /** A custom regular expression (RE2/Java common subset). */
  @JsonProperty("regex")
  REGEX
}
