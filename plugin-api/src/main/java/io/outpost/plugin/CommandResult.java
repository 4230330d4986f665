package io.outpost.plugin;

import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a command, published as a {@code command.result} message (architecture.md §5).
 *
 * @param status one of the {@link Status} values
 * @param result JSON-like value (Map, List, String, Number, Boolean) or null
 * @param errorCode machine code such as {@code "invalid_args"}; null on success
 * @param errorMessage human text; null on success
 */
public record CommandResult(Status status, Object result, String errorCode, String errorMessage) {

  public CommandResult {
    Objects.requireNonNull(status, "status == null");
  }

  public static CommandResult succeeded(Object result) {
    return new CommandResult(Status.SUCCEEDED, result, null, null);
  }

  public static CommandResult succeeded() {
    return succeeded(Map.of());
  }

  /**
   * Long-running work was started; the handler reports the final result later through the uplink.
   */
  public static CommandResult accepted(Object result) {
    return new CommandResult(Status.ACCEPTED, result, null, null);
  }

  public static CommandResult failed(String code, String message) {
    return new CommandResult(Status.FAILED, null, code, message);
  }

  public static CommandResult rejected(String code, String message) {
    return new CommandResult(Status.REJECTED, null, code, message);
  }

  /** Status values as they appear on the wire (lower case). */
  public enum Status {
    ACCEPTED,
    SUCCEEDED,
    FAILED,
    REJECTED,
    EXPIRED,
    UNKNOWN_COMMAND;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
