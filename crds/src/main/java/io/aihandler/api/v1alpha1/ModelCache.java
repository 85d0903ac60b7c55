package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;

/** Persistent cache for model weights: a PVC the operator creates, or one that exists. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.existingClaim) != has(self.size)",
    message =
        "cache needs exactly one of size (the operator creates a PersistentVolumeClaim) or"
            + " existingClaim (use a claim you manage)")
@ValidationRule(
    value = "!has(self.existingClaim) || (!has(self.storageClassName) && !has(self.accessModes))",
    message = "storageClassName and accessModes apply only to a claim the operator creates (size)")
public record ModelCache(
    @JsonPropertyDescription("Size of the PersistentVolumeClaim the operator creates, e.g. 200Gi.")
        Quantity size,
    @JsonPropertyDescription("Storage class of the created claim. Default: the cluster's default.")
        @Size(max = 253)
        String storageClassName,
    @JsonPropertyDescription(
            "Access modes of the created claim. ReadWriteMany lets all replicas share one cache."
                + " Default: [ReadWriteOnce].")
        @Size(max = 4)
        List<AccessMode> accessModes,
    @JsonPropertyDescription("Name of an existing PersistentVolumeClaim in this namespace to use.")
        @Size(max = 253)
        @Pattern(ApiPatterns.DNS_SUBDOMAIN)
        String existingClaim,
    @JsonPropertyDescription("Where the cache is mounted in the vLLM container (HF_HOME).")
        @Default("/root/.cache/huggingface")
        @Pattern("^/.*$")
        String mountPath) {

  /** PersistentVolumeClaim access modes. */
  public enum AccessMode {
    ReadWriteOnce,
    ReadOnlyMany,
    ReadWriteMany,
    ReadWriteOncePod
  }
}
