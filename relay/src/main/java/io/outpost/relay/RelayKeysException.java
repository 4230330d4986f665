package io.outpost.relay;

/**
 * A keys file (or keys JSON) that cannot be used. The message says where (file, entry, key), what
 * was found and what was expected, e.g. {@code keys.json: keys[1] ("pk_live_dev"): actions[2]:
 * "sned" is not an action (expected one of publish, subscribe, presence, send)}. Print the message;
 * the stack trace adds nothing.
 */
public final class RelayKeysException extends RuntimeException {
  private final String source;
  private final String location;

  /**
   * @param source file name or {@code "<json>"} for inline text
   * @param location path inside the document, e.g. {@code keys[1] ("pk_live_dev").actions}; may be
   *     empty
   * @param problem what is wrong and what was expected
   */
  public RelayKeysException(String source, String location, String problem) {
    super(source + ": " + (location.isEmpty() ? "" : location + ": ") + problem);
    this.source = source;
    this.location = location;
  }

  /** The file (or {@code "<json>"}) the error is in. */
  public String source() {
    return source;
  }

  /** Where in the document, e.g. {@code keys[0] ("sk_id_dev"): secret}. */
  public String location() {
    return location;
  }
}
