package io.aihandler.controllers.advisor;

import io.aihandler.api.v1alpha1.Locality;
import java.util.LinkedHashMap;
import java.util.Map;

/** Backend profiles for unit tests: the example backends' prices. */
final class Profiles {

  private Profiles() {}

  static BackendProfile claude() {
    return new BackendProfile("claude", Locality.EXTERNAL, false, 3.0, 15.0, null, 0, 0, 8);
  }

  static BackendProfile geminiFlash() {
    return new BackendProfile("gemini-flash", Locality.EXTERNAL, false, 0.30, 2.50, null, 0, 0, 8);
  }

  /** 4 GPUs at 2.49 USD an hour per replica, 8 requests at once per replica. */
  static BackendProfile llama() {
    return new BackendProfile("llama-3-3-70b", Locality.IN_CLUSTER, true, 0.1, 0.3, 2.49, 4, 1, 8);
  }

  static Map<String, BackendProfile> of(BackendProfile... profiles) {
    Map<String, BackendProfile> map = new LinkedHashMap<>();
    for (BackendProfile profile : profiles) {
      map.put(profile.name(), profile);
    }
    return map;
  }
}
