package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.HostedSpec;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Secrets holding hosted backends' keys. The operator watches only Secrets labelled {@value
 * #LABEL}={@value #LABEL_VALUE}, so its cache never holds the cluster's other Secrets.
 */
public final class SourceSecrets {

  /** The label a Secret needs for the operator to see it as a source of API keys. */
  public static final String LABEL = "aihandler.io/credentials";

  /** The value of {@link #LABEL}. */
  public static final String LABEL_VALUE = "true";

  /** Name of the event source for ModelBackend primaries. */
  public static final String MODEL_BACKEND_EVENT_SOURCE = "hosted-credential-sources";

  private SourceSecrets() {}

  /** The label selector of source Secrets. */
  public static String labelSelector() {
    return LABEL + "=" + LABEL_VALUE;
  }

  /** True when {@code backend} is hosted and reads its key from {@code secret}. */
  public static boolean references(
      ModelBackend backend, String secretNamespace, String secretName) {
    HostedSpec hosted = backend.getSpec() == null ? null : backend.getSpec().hosted();
    return hosted != null
        && hosted.credentials() != null
        && hosted.credentials().secretRef() != null
        && secretName.equals(hosted.credentials().secretRef().name())
        && secretNamespace.equals(backend.getMetadata().getNamespace());
  }

  /**
   * A label-filtered Secret informer for ModelBackend primaries: a change to a source Secret
   * triggers a reconcile of every backend that reads it, so rotation is checked at once.
   */
  public static InformerEventSource<Secret, ModelBackend> forModelBackends(
      EventSourceContext<ModelBackend> context) {
    SecondaryToPrimaryMapper<Secret> mapper =
        secret ->
            context
                .getPrimaryCache()
                .list(
                    secret.getMetadata().getNamespace(),
                    backend ->
                        references(
                            backend,
                            secret.getMetadata().getNamespace(),
                            secret.getMetadata().getName()))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Secret.class, ModelBackend.class)
            .withName(MODEL_BACKEND_EVENT_SOURCE)
            .withLabelSelector(labelSelector())
            .withSecondaryToPrimaryMapper(mapper)
            .build(),
        context);
  }

  /** The source Secret of a hosted backend from a label-filtered informer's cache. */
  public static Optional<Secret> lookup(
      InformerEventSource<Secret, ? extends HasMetadata> sources, ModelBackend backend) {
    HostedSpec hosted = backend.getSpec().hosted();
    if (hosted == null
        || hosted.credentials() == null
        || hosted.credentials().secretRef() == null) {
      return Optional.empty();
    }
    return sources.get(
        new ResourceID(
            hosted.credentials().secretRef().name(), backend.getMetadata().getNamespace()));
  }

  /** Ids of every backend in {@code backends} that reads {@code secret}. */
  public static Set<ResourceID> readers(Iterable<ModelBackend> backends, Secret secret) {
    Set<ResourceID> ids = new java.util.HashSet<>();
    for (ModelBackend backend : backends) {
      if (references(
          backend, secret.getMetadata().getNamespace(), secret.getMetadata().getName())) {
        ids.add(ResourceID.fromResource(backend));
      }
    }
    return ids;
  }
}
