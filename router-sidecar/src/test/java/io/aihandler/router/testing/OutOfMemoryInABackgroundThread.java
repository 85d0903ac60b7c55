package io.aihandler.router.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A program whose only other thread runs out of memory and dies, while its main thread would go on
 * and exit 0: what a JVM does with an OutOfMemoryError in, say, a listener thread, unless it is
 * told to exit.
 */
public final class OutOfMemoryInABackgroundThread {

  private OutOfMemoryInABackgroundThread() {}

  public static void main(String[] args) throws InterruptedException {
    Thread hog =
        Thread.ofPlatform()
            .name("hog")
            .start(
                () -> {
                  List<long[]> kept = new ArrayList<>();
                  while (true) {
                    kept.add(new long[1 << 20]);
                  }
                });
    hog.join();
    System.out.println("the main thread survived the OutOfMemoryError");
  }
}
