package io.aihandler.controllers.vllm;

import io.aihandler.api.v1alpha1.ModelCache;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Desired state of the PersistentVolumeClaim holding a vLLM backend's model cache, when {@code
 * cache.size} asks the operator to create one ({@code existingClaim} is used as is).
 */
public final class ModelCacheClaimBuilder {

  private ModelCacheClaimBuilder() {}

  /** The claim to create, or empty when the backend needs none. */
  public static Optional<PersistentVolumeClaim> build(VllmBackend backend) {
    if (!backend.createsCacheClaim()) {
      return Optional.empty();
    }
    ModelCache cache = backend.cache();
    List<String> accessModes =
        cache.accessModes() == null || cache.accessModes().isEmpty()
            ? List.of(ModelCache.AccessMode.ReadWriteOnce.name())
            : cache.accessModes().stream().map(Enum::name).toList();
    return Optional.of(
        new PersistentVolumeClaimBuilder()
            .withMetadata(backend.ownedMetadata(backend.createdCacheClaimName()))
            .withNewSpec()
            .withAccessModes(accessModes)
            .withStorageClassName(cache.storageClassName())
            .withVolumeMode("Filesystem")
            .withNewResources()
            .withRequests(Map.of("storage", cache.size()))
            .endResources()
            .endSpec()
            .build());
  }
}
