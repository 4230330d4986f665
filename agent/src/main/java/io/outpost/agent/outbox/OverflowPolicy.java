package io.outpost.agent.outbox;

/** What the outbox gives up when it is over its bound ({@code buffer.overflow.*}). */
public enum OverflowPolicy {
  /** Delete the oldest messages of the class, announced with {@code buffer.dropped}. */
  DROP_OLDEST("dropOldest"),
  /** Refuse the newest messages of the class and never touch what is stored. */
  DROP_NEWEST("dropNewest"),
  /** Keep every message of the class, even above the bound. */
  KEEP("keep");

  private final String configName;

  OverflowPolicy(String configName) {
    this.configName = configName;
  }

  /**
   * The policy named {@code name} in the configuration ({@code dropOldest}, {@code dropNewest},
   * {@code keep}; case-insensitive).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static OverflowPolicy fromConfig(String name) {
    for (OverflowPolicy p : values()) {
      if (p.configName.equalsIgnoreCase(String.valueOf(name).trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown overflow policy \"" + name + "\" (expected dropOldest, dropNewest or keep)");
  }

  /** The name used in the configuration. */
  public String configName() {
    return configName;
  }
}
