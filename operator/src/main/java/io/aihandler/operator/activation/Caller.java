package io.aihandler.operator.activation;

/**
 * Who sent an activation, as the API server's TokenReview says: a pod's ServiceAccount.
 *
 * @param namespace the namespace of the ServiceAccount (and so of the pod)
 * @param serviceAccount the ServiceAccount's name
 * @param pod the pod the token is bound to, or null when the review does not say
 */
public record Caller(String namespace, String serviceAccount, String pod) {

  private static final String PREFIX = "system:serviceaccount:";

  /** The caller of a ServiceAccount user name, or null when the name is not one. */
  static Caller ofUsername(String username, String pod) {
    if (username == null || !username.startsWith(PREFIX)) {
      return null;
    }
    String rest = username.substring(PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon <= 0 || colon == rest.length() - 1 || rest.indexOf(':', colon + 1) >= 0) {
      return null;
    }
    return new Caller(rest.substring(0, colon), rest.substring(colon + 1), pod);
  }
}
