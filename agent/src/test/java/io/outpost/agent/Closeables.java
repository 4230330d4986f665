package io.outpost.agent;

/** Test clean-up. */
public final class Closeables {
  private Closeables() {}

  /**
   * Closes every resource that is not null, in the given order (the agent before the relay it talks
   * to), even when one fails; the first failure is thrown at the end with the others suppressed.
   */
  public static void closeAll(AutoCloseable... resources) throws Exception {
    Exception first = null;
    for (AutoCloseable r : resources) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
