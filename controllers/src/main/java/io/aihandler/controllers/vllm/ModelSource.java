package io.aihandler.controllers.vllm;

/**
 * Where a vLLM backend's weights come from, parsed from {@code spec.vllm.model}: the Hugging Face
 * Hub, a PersistentVolumeClaim in the backend's namespace, or S3.
 */
public sealed interface ModelSource {

  /** Where the operator mounts a weights claim ({@code pvc://}) in the vLLM container. */
  String WEIGHTS_MOUNT_PATH = "/mnt/models";

  /** The positional model argument of {@code vllm serve}. */
  String servedPath();

  /** A Hugging Face repository, e.g. {@code meta-llama/Llama-3.3-70B-Instruct}. */
  record HuggingFace(String repository) implements ModelSource {
    @Override
    public String servedPath() {
      return repository;
    }
  }

  /** A directory on a PersistentVolumeClaim, mounted read-only. */
  record Claim(String claimName, String path) implements ModelSource {
    @Override
    public String servedPath() {
      return WEIGHTS_MOUNT_PATH + "/" + path;
    }
  }

  /** An S3 prefix, streamed by vLLM's Run:ai model streamer. */
  record S3(String uri) implements ModelSource {
    @Override
    public String servedPath() {
      return uri;
    }
  }

  /**
   * Parses a model URI.
   *
   * @throws IllegalArgumentException when the scheme is not hf://, pvc:// or s3://
   */
  static ModelSource parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("spec.vllm.model is required, e.g. hf://org/name");
    }
    if (uri.startsWith("hf://")) {
      return new HuggingFace(uri.substring("hf://".length()));
    }
    if (uri.startsWith("pvc://")) {
      String rest = uri.substring("pvc://".length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new IllegalArgumentException(
            "spec.vllm.model " + uri + " must name a claim and a path: pvc://<claim>/<path>");
      }
      return new Claim(rest.substring(0, slash), rest.substring(slash + 1));
    }
    if (uri.startsWith("s3://")) {
      return new S3(uri);
    }
    throw new IllegalArgumentException(
        "spec.vllm.model " + uri + " must start with hf://, pvc:// or s3://");
  }
}
