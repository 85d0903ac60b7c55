package io.aihandler.router.responses;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The responses kept for {@code previous_response_id}: in this process's heap only, bounded in
 * entries and bytes, each for a fixed time. When full, the oldest go first. Every entry lives for
 * the same time, so insertion order is expiry order and expired entries are always at the head.
 */
public final class ResponseStore {

  /** Heap an entry holds besides its conversation's bytes: the id, the entry, the map node. */
  static final int ENTRY_OVERHEAD = 512;

  private record Entry(StoredConversation conversation, long charge, long expiresAt) {}

  private final int maxEntries;
  private final long maxBytes;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
  private long bytes;

  public ResponseStore(int maxEntries, long maxBytes, Duration ttl) {
    this(maxEntries, maxBytes, ttl, System::nanoTime);
  }

  ResponseStore(int maxEntries, long maxBytes, Duration ttl, LongSupplier nanoClock) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
  }

  /** The heap an entry of this conversation is charged. */
  static long charge(StoredConversation conversation) {
    return conversation.bytes().length + ENTRY_OVERHEAD;
  }

  /**
   * Keeps a conversation under a new id, dropping the oldest entries to make room; false (nothing
   * kept) when it alone is larger than the whole store.
   */
  public synchronized boolean put(String id, StoredConversation conversation) {
    long charge = charge(conversation);
    if (maxEntries == 0 || charge > maxBytes) {
      return false;
    }
    long now = nanoClock.getAsLong();
    dropExpired(now);
    Iterator<Entry> oldest = entries.values().iterator();
    while (oldest.hasNext() && (entries.size() >= maxEntries || bytes + charge > maxBytes)) {
      bytes -= oldest.next().charge();
      oldest.remove();
    }
    entries.put(id, new Entry(conversation, charge, now + ttlNanos));
    bytes += charge;
    return true;
  }

  /** The conversation kept under this id, or null when there is none or it has expired. */
  public synchronized StoredConversation get(String id) {
    dropExpired(nanoClock.getAsLong());
    Entry e = entries.get(id);
    return e == null ? null : e.conversation();
  }

  public synchronized int size() {
    return entries.size();
  }

  /** The heap the entries are charged in all. */
  public synchronized long bytes() {
    return bytes;
  }

  private void dropExpired(long now) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Entry e = it.next().getValue();
      if (e.expiresAt() - now > 0) {
        return;
      }
      bytes -= e.charge();
      it.remove();
    }
  }
}
