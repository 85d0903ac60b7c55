package io.aihandler.controllers.owned;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An object the operator writes (an owned object, or a primary's status) that the API server would
 * not take. Its message names the object and the server's verdict and is safe to show in a status:
 * a Secret's verdict keeps only the code, the reason and the refused field paths, never the
 * server's text, which could quote the data.
 */
public final class OwnedObjectApplyException extends RuntimeException {

  private static final int MAX_SERVER_MESSAGE = 512;

  public OwnedObjectApplyException(
      String action, HasMetadata object, KubernetesClientException cause) {
    super(
        "cannot "
            + action
            + " "
            + object.getKind()
            + " "
            + object.getMetadata().getNamespace()
            + "/"
            + object.getMetadata().getName()
            + ": "
            + verdict(cause, !"Secret".equals(object.getKind())),
        cause);
  }

  /**
   * {@code HTTP <code> <reason> (<fields>)}, and with {@code withServerMessage} the server's words.
   */
  public static String verdict(KubernetesClientException error, boolean withServerMessage) {
    StringBuilder text = new StringBuilder("HTTP ").append(error.getCode());
    Status status = error.getStatus();
    if (status != null && status.getReason() != null && !status.getReason().isBlank()) {
      text.append(' ').append(status.getReason());
    }
    List<String> fields =
        status == null || status.getDetails() == null
            ? List.of()
            : Optional.ofNullable(status.getDetails().getCauses()).orElse(List.of()).stream()
                .map(StatusCause::getField)
                .filter(Objects::nonNull)
                .distinct()
                .toList();
    if (!fields.isEmpty()) {
      text.append(" (").append(String.join(", ", fields)).append(')');
    }
    if (withServerMessage
        && status != null
        && status.getMessage() != null
        && !status.getMessage().isBlank()) {
      String message = status.getMessage();
      text.append(": ")
          .append(
              message.length() > MAX_SERVER_MESSAGE
                  ? message.substring(0, MAX_SERVER_MESSAGE) + "..."
                  : message);
    }
    return text.toString();
  }
}
