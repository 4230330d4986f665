package io.outpost.plugin;

/**
 * A configuration problem, reported to the user without a stack trace. The message says where
 * (file, sensor), which key, what value and what was expected, for example: {@code greenhouse.json:
 * sensors[1] ("env", bme280): address: 0x99 out of range, expected 0x76 or 0x77}.
 */
public final class ConfigException extends Exception {
  private final String location;
  private final String key;
  private final String problem;

  /**
   * @param location the file and section, e.g. {@code "/etc/outpost/agent.json"} or {@code
   *     "simulated.json: sensors[0] (\"ctr\", sim.counter)"}; may be empty
   * @param key the key exactly as the user typed it, dotted for nested keys; may be empty
   * @param problem what is wrong and what is expected
   */
  public ConfigException(String location, String key, String problem) {
    super(format(location, key, problem));
    this.location = location == null ? "" : location;
    this.key = key == null ? "" : key;
    this.problem = problem;
  }

  /** Same problem, reported at a more precise location (used as errors bubble up to the loader). */
  public ConfigException at(String outerLocation) {
    String where = location.isEmpty() ? outerLocation : outerLocation + ": " + location;
    return new ConfigException(where, key, problem);
  }

  public String location() {
    return location;
  }

  public String key() {
    return key;
  }

  public String problem() {
    return problem;
  }

  private static String format(String location, String key, String problem) {
    StringBuilder sb = new StringBuilder();
    if (location != null && !location.isEmpty()) {
      sb.append(location).append(": ");
    }
    if (key != null && !key.isEmpty()) {
      sb.append(key).append(": ");
    }
    return sb.append(problem).toString();
  }
}
