package io.aihandler.controllers.testing;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendSpec;
import io.aihandler.api.v1alpha1.VllmSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** ModelBackends for tests, written as users write them: YAML. */
public final class ModelBackends {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private ModelBackends() {}

  /** A ModelBackend parsed from YAML, with a uid and generation as the API server would set. */
  public static ModelBackend fromYaml(String yaml) {
    ModelBackend backend = SERIALIZATION.unmarshal(yaml, ModelBackend.class);
    if (backend.getMetadata().getUid() == null) {
      backend
          .getMetadata()
          .setUid(
              "0c4f1b6e-7d1a-4f57-9a55-"
                  + String.format("%012d", Math.abs(backend.getMetadata().getName().hashCode())));
    }
    if (backend.getMetadata().getGeneration() == null) {
      backend.getMetadata().setGeneration(1L);
    }
    return backend;
  }

  /** A minimal vLLM backend in namespace {@code models}. */
  public static ModelBackend vllm(String name, VllmSpec spec) {
    ModelBackend backend = new ModelBackend();
    backend.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("models").build());
    backend.setSpec(new ModelBackendSpec(spec, null, null, null, null, null));
    return fromYaml(SERIALIZATION.asYaml(backend));
  }
}
