package io.aihandler.api.v1alpha1;

/** Regular expressions shared by the OpenAPI {@code pattern} constraints of the API. */
public final class ApiPatterns {

  /**
   * A Go-style duration as Kubernetes users write it: {@code 500ms}, {@code 30s}, {@code 1.5m},
   * {@code 1h30m}; up to four parts of at most six integer digits and nine fraction digits, so
   * every admitted value is a valid Go duration. The router config's {@code Durations.PATTERN} is
   * the same text and its parser accepts exactly this language (a test in this module holds them
   * together), so a duration the API server admits never fails later as InvalidRouterConfig.
   */
  public static final String DURATION = "^([0-9]{1,6}(\\.[0-9]{1,9})?(ms|s|m|h)){1,4}$";

  /** An RFC 1123 DNS label, as used for names that become parts of object names or URLs. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  /** An RFC 1123 DNS subdomain (the name of most Kubernetes objects, e.g. Secrets). */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A key inside a Secret's data. */
  public static final String SECRET_KEY = "^[-._a-zA-Z0-9]+$";

  /** Where vLLM loads weights from: a Hugging Face repository, a PVC path or an S3 prefix. */
  public static final String MODEL_URI =
      "^(hf://[A-Za-z0-9][-._A-Za-z0-9]*/[A-Za-z0-9][-._A-Za-z0-9]*"
          + "|pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/\\S+"
          + "|s3://[a-z0-9][-.a-z0-9]*[a-z0-9]/\\S*)$";

  /** An extended resource name such as {@code nvidia.com/gpu} or {@code amd.com/gpu}. */
  public static final String EXTENDED_RESOURCE = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[-._a-zA-Z0-9]+$";

  /** An http(s) URL without whitespace. */
  public static final String HTTP_URL = "^https?://[^\\s/$.?#][^\\s]*$";

  /** A prompt template variable: {@code {{ticket_text}}} uses the variable {@code ticket_text}. */
  public static final String VARIABLE_NAME = "^[A-Za-z_][A-Za-z0-9_]*$";

  private ApiPatterns() {}
}
