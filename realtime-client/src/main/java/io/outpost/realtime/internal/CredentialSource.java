package io.outpost.realtime.internal;

import io.outpost.realtime.Credentials;
import io.outpost.realtime.RealtimeException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The secret for each connection attempt: the fixed key or token, or a fresh one from the token
 * provider (bounded by its timeout), and the connect URL that carries it. Counts consecutive
 * provider failures and reports them from the third on. The secret itself never leaves this class
 * except in the URL handed to the transport. Event thread only.
 */
final class CredentialSource {

  /** Report the token provider after this many consecutive failures (SDK value). */
  static final int FAILURE_THRESHOLD = 3;

  /** Told about repeated provider failures; the error is already scrubbed of secrets. */
  interface FailureReport {
    void repeatedFailures(int consecutiveFailures, RuntimeException scrubbed);
  }

  private final Credentials credentials;
  private final long timeoutMs;
  private final EventLoop events;
  private final FailureReport report;
  private int consecutiveFailures;

  CredentialSource(
      Credentials credentials, Duration timeout, EventLoop events, FailureReport report) {
    this.credentials = credentials;
    this.timeoutMs = timeout.toMillis();
    this.events = events;
    this.report = report;
  }

  /** Whether a fresh credential can be fetched, which make-before-break refresh needs. */
  boolean renewable() {
    return credentials.kind() == Credentials.Kind.TOKEN_PROVIDER;
  }

  /** Completes on the event thread with the secret for the next connection attempt. */
  CompletableFuture<String> next() {
    if (!renewable()) {
      return CompletableFuture.completedFuture(credentials.secret().orElseThrow());
    }
    CompletableFuture<String> out = new CompletableFuture<>();
    ScheduledFuture<?> timer =
        events.schedule(
            () ->
                out.completeExceptionally(
                    new TimeoutException(
                        "token provider did not answer within " + timeoutMs + " ms")),
            timeoutMs,
            TimeUnit.MILLISECONDS);
    CompletionStage<String> stage;
    try {
      stage = credentials.provider().orElseThrow().fetchToken();
      if (stage == null) {
        throw new IllegalStateException(
            "token provider returned null instead of a CompletionStage");
      }
    } catch (Throwable e) {
      timer.cancel(false);
      out.completeExceptionally(e);
      return out;
    }
    stage.whenComplete(
        (token, error) -> {
          try {
            events.execute(
                () -> {
                  timer.cancel(false);
                  if (error != null) {
                    out.completeExceptionally(error);
                  } else if (token == null || token.isBlank()) {
                    out.completeExceptionally(
                        new IllegalStateException("token provider returned an empty token"));
                  } else {
                    out.complete(token);
                  }
                });
          } catch (RejectedExecutionException e) {
            // the client closed meanwhile
          }
        });
    return out;
  }

  /** A credential was obtained: the failure count starts again. */
  void succeeded() {
    consecutiveFailures = 0;
  }

  /** The provider failed; reported from the {@link #FAILURE_THRESHOLD}th consecutive failure on. */
  void failed(Throwable cause) {
    consecutiveFailures++;
    if (consecutiveFailures >= FAILURE_THRESHOLD) {
      report.repeatedFailures(
          consecutiveFailures,
          new RealtimeException(Redactor.scrub(Redactor.describe(cause), null)));
    }
  }

  /** {@code <origin>/v1?key=…} for a publishable key, {@code ?token=…} otherwise, URL-encoded. */
  URI connectUri(URI origin, String secret) {
    String param = credentials.kind() == Credentials.Kind.PUBLISHABLE_KEY ? "key" : "token";
    return URI.create(
        origin + "/v1?" + param + "=" + URLEncoder.encode(secret, StandardCharsets.UTF_8));
  }
}
