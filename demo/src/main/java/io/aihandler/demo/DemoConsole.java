package io.aihandler.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's output: a numbered scene per step, the facts that prove it indented below, and the
 * elapsed time so progress is visible while the slower steps run. Plain ASCII, so it reads the same
 * in any terminal and log.
 */
public final class DemoConsole {

  private final PrintStream out;
  private final long started = System.nanoTime();
  private final int scenes;

  public DemoConsole(PrintStream out, int scenes) {
    this.out = out;
    this.scenes = scenes;
  }

  public void title(String text) {
    out.println();
    out.println(text);
    out.println("=".repeat(text.length()));
  }

  public void scene(int number, String title) {
    out.println();
    String head =
        String.format(Locale.ROOT, "[%5.1fs] %d/%d  %s ", seconds(), number, scenes, title);
    out.println(head + "-".repeat(Math.max(3, 96 - head.length())));
  }

  /** Something is about to take a moment. */
  public void progress(String text) {
    out.println("   ... " + text);
    out.flush();
  }

  /** A fact. */
  public void line(String text) {
    out.println("   " + text);
  }

  /** A fact, indented under the previous one. */
  public void detail(String text) {
    out.println("       " + text);
  }

  /** An expectation that held. */
  public void ok(String text) {
    out.println("   [ok] " + text);
  }

  /** Rows printed as aligned columns, like kubectl. */
  public void table(List<List<String>> rows) {
    if (rows.isEmpty()) {
      return;
    }
    int columns = rows.get(0).size();
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int c = 0; c < columns - 1; c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    for (List<String> row : rows) {
      List<String> cells = new ArrayList<>();
      for (int c = 0; c < columns; c++) {
        cells.add(c == columns - 1 ? row.get(c) : pad(row.get(c), widths[c]));
      }
      out.println("   " + String.join("  ", cells).stripTrailing());
    }
  }

  public void blank() {
    out.println();
  }

  public void failure(String message) {
    out.println();
    out.println(
        "DEMO FAILED after " + String.format(Locale.ROOT, "%.1fs", seconds()) + ": " + message);
    out.flush();
  }

  public double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(Math.max(0, width - text.length()));
  }
}
