package io.aihandler.router.shadow;

import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each task's shadow calls spent this UTC day in this sidecar, against its daily cost cap. A
 * call reserves its worst case before it is queued, so calls running at once cannot together pass
 * the cap, and settles to what it really cost when it ends. A new UTC day starts from nothing.
 */
final class ShadowBudget {

  private final Clock clock;
  private final Map<String, Day> days = new ConcurrentHashMap<>();

  private static final class Day {
    LocalDate date;
    double spent;
    double reserved;
  }

  ShadowBudget(Clock clock) {
    this.clock = clock;
  }

  /**
   * Reserves {@code worstCase} US dollars for one of the task's shadow calls.
   *
   * @param cap the task's daily cap; null means none (spending is still counted)
   * @return false, and nothing reserved, when the cap would be passed
   */
  boolean tryReserve(String task, Double cap, double worstCase) {
    Day d = days.computeIfAbsent(task, t -> new Day());
    synchronized (d) {
      roll(d);
      if (cap != null && d.spent + d.reserved + worstCase > cap) {
        return false;
      }
      d.reserved += worstCase;
      return true;
    }
  }

  /** Ends a reservation: its worst case is given back, its real cost counted. */
  void settle(String task, double worstCase, double cost) {
    Day d = days.computeIfAbsent(task, t -> new Day());
    synchronized (d) {
      LocalDate reservedOn = d.date;
      roll(d);
      if (reservedOn != null && reservedOn.equals(d.date)) {
        d.reserved = Math.max(0, d.reserved - worstCase);
      }
      d.spent += cost;
    }
  }

  /** What the task's shadow calls spent today, in US dollars. */
  double spentToday(String task) {
    Day d = days.get(task);
    if (d == null) {
      return 0;
    }
    synchronized (d) {
      roll(d);
      return d.spent;
    }
  }

  private void roll(Day d) {
    LocalDate today = LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC));
    if (!today.equals(d.date)) {
      d.date = today;
      d.spent = 0;
      d.reserved = 0;
    }
  }
}
