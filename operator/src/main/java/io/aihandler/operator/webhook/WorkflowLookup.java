package io.aihandler.operator.webhook;

import io.aihandler.api.v1alpha1.Workflow;
import java.util.Optional;

/** Finds a Workflow; in the operator, from an informer's cache, so admission makes no API call. */
@FunctionalInterface
public interface WorkflowLookup {

  Optional<Workflow> find(String namespace, String name);
}
