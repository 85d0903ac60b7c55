package io.aihandler.controllers.workflow;

import io.aihandler.router.config.Activation;
import java.util.function.Supplier;

/**
 * How a Workflow's sidecars reach the operator to wake a backend: what the renderer writes into
 * {@code sidecar.activation}, and where a restricted Workflow's egress policy lets them connect.
 *
 * @param activation the URL, token path and CA; read at each reconcile so a renewed CA reaches the
 *     next document
 * @param namespace the operator's namespace
 * @param port the operator pods' HTTPS port (what a NetworkPolicy sees, behind the Service)
 */
public record OperatorActivation(Supplier<Activation> activation, String namespace, int port) {

  /** No activation endpoint: sidecars are never told to ask. */
  public static final OperatorActivation NONE = new OperatorActivation(() -> null, null, 0);

  /** Whether there is an endpoint. */
  public boolean enabled() {
    return namespace != null;
  }
}
