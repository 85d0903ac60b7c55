package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a data-class detector looks for in a request's text. */
public enum DetectorType {
  @JsonProperty("email")
  EMAIL,
  @JsonProperty("phone")
  PHONE,
  /** Card numbers of 13 to 19 digits that pass the Luhn check. */
  @JsonProperty("creditCard")
  CREDIT_CARD,
  /** IBANs that pass the ISO 13616 mod-97 check. */
  @JsonProperty("iban")
  IBAN,
  @JsonProperty("usSsn")
  US_SSN,
  /** A custom regular expression ({@code pattern}). */
  @JsonProperty("regex")
  REGEX
}
