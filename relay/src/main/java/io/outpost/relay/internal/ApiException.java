package io.outpost.relay.internal;

/**
 * A REST failure: HTTP status, stable {@code error} code and a message naming the offending value.
 */
public final class ApiException extends Exception {
  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
