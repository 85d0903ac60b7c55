package io.aihandler.controllers.vllm;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.testing.ModelBackends;

/** ModelBackends used across the builder tests, as a platform team would write them. */
final class VllmBackendExamples {

  private VllmBackendExamples() {}

  /** A 70B model on four H100s, autoscaled, with every optional field a team would set. */
  static ModelBackend llama70b() {
    return ModelBackends.fromYaml(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata:
          name: llama-70b
          namespace: models
          uid: 6a1d2c3e-0000-4000-8000-000000000070
          generation: 3
        spec:
          vllm:
            model: hf://meta-llama/Llama-3.3-70B-Instruct
            revision: 6f6073b423013f6a7d4d9f39144961bfbfbc386b
            gpus: 4
            maxModelLen: 32768
            gpuMemoryUtilization: 0.92
            args: ["--enable-prefix-caching"]
            env:
              - name: VLLM_LOGGING_LEVEL
                value: INFO
            resources:
              requests: {cpu: "8", memory: 64Gi}
              limits: {memory: 96Gi}
            placement:
              nodeSelector:
                nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
              tolerations:
                - key: nvidia.com/gpu
                  operator: Exists
                  effect: NoSchedule
              topologySpreadConstraints:
                - maxSkew: 1
                  topologyKey: topology.kubernetes.io/zone
                  whenUnsatisfiable: ScheduleAnyway
                  labelSelector:
                    matchLabels:
                      aihandler.io/model-backend: llama-70b
              priorityClassName: inference-high
              runtimeClassName: nvidia
            hfTokenSecretRef:
              name: hf-token
              key: token
            cache:
              size: 300Gi
              storageClassName: fast-rwx
              accessModes: [ReadWriteMany]
            startupTimeout: 45m
            scaling:
              minReplicas: 1
              maxReplicas: 4
              metric: queue
              target: 8
        """);
  }

  /** An embedding model: chat false, embeddings declared, autoscaled on the queue. */
  static ModelBackend bgeM3() {
    return ModelBackends.fromYaml(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata:
          name: bge-m3
          namespace: models
        spec:
          vllm:
            model: hf://BAAI/bge-m3
            revision: 5617a9f61b028005a4858fdac845db406aefb181
            maxModelLen: 8192
            args: ["--max-num-seqs=256"]
            scaling:
              maxReplicas: 3
              metric: queue
              target: 32
          capabilities:
            chat: false
            embeddings:
              dimensions: 1024
        """);
  }

  /** The smallest spec: a model and nothing else. */
  static ModelBackend minimal() {
    return ModelBackends.fromYaml(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata:
          name: qwen-small
          namespace: models
        spec:
          vllm:
            model: hf://Qwen/Qwen2.5-7B-Instruct
        """);
  }
}
