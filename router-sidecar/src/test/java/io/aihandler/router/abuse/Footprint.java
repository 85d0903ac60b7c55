package io.aihandler.router.abuse;

/**
 * What the sidecar process holds at one moment.
 *
 * @param rssKib resident memory, KiB
 * @param threads OS threads
 * @param fds open file descriptors
 */
public record Footprint(long rssKib, long threads, long fds) {

  /** Resident memory the shipped flags are meant to keep the sidecar under. */
  public static final long RSS_LIMIT_KIB = 128 * 1024;

  /** Near this baseline: a few threads and descriptors of slack for pools and timers. */
  public boolean near(Footprint baseline) {
    return threads <= baseline.threads + 8 && fds <= baseline.fds + 16;
  }

  @Override
  public String toString() {
    return "rss=" + (rssKib / 1024) + "MiB threads=" + threads + " fds=" + fds;
  }
}
