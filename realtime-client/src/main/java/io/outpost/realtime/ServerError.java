package io.outpost.realtime;

/**
 * An {@code error} frame that no pending request claimed (e.g. {@code over_message_quota}).
 *
 * @param code the server's stable machine code; branch on this
 * @param message the server's informational text (untrusted; may be empty)
 */
public record ServerError(String code, String message) {}
