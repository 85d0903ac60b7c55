package io.aihandler.controllers.advisor;

import io.aihandler.api.v1alpha1.PromptHistory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Keeps a task's bounded prompt-change record: a new hash counts one change and moves the last
 * change; the same hash leaves the record as it was.
 */
public final class PromptChangeRecord {

  private PromptChangeRecord() {}

  /** The record after seeing {@code hash} at {@code now}; {@code previous} may be null. */
  public static PromptHistory update(PromptHistory previous, String hash, Instant now) {
    String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
    if (previous == null || previous.hash() == null) {
      return new PromptHistory(hash, 0, at, null);
    }
    if (previous.hash().equals(hash)) {
      return previous;
    }
    int changes = previous.changes() == null ? 0 : previous.changes();
    return new PromptHistory(
        hash,
        changes == Integer.MAX_VALUE ? changes : changes + 1,
        previous.observedSince() == null ? at : previous.observedSince(),
        at);
  }
}
