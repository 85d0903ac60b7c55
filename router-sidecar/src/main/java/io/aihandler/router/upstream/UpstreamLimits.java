package io.aihandler.router.upstream;

import io.aihandler.router.config.SidecarSettings;

/**
 * The most the sidecar reads from a backend at once, so no answer can fill its heap.
 *
 * @param maxResponseBytes largest whole (non-streaming) answer
 * @param maxErrorBytes most of an error body read to classify it; the rest is never read
 * @param maxEventBytes largest server-sent event (or line) of a stream
 */
public record UpstreamLimits(long maxResponseBytes, long maxErrorBytes, long maxEventBytes) {

  /** The limits of the sidecar's settings. */
  public static UpstreamLimits of(SidecarSettings s) {
    return new UpstreamLimits(
        s.maxUpstreamResponseBytes(), s.maxUpstreamErrorBytes(), s.maxSseEventBytes());
  }

  /** A limit as an array size: reads are bounded by arrays, so by 2 GiB at most. */
  static int asInt(long limit) {
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE - 16, limit));
  }
}
