package io.outpost.realtime;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Supplies a fresh JWT for every connection attempt (the first connect, every reconnect and every
 * make-before-break refresh). The client bounds each call with {@link
 * RealtimeConfig.Timeouts#tokenProvider()} and reports three consecutive failures to {@link
 * RealtimeListener#onTokenProviderFailure}.
 *
 * <p>Called on the client's event thread; the implementation must not block it: return a stage that
 * completes later (or use {@link #blocking(Callable)}).
 */
@FunctionalInterface
public interface TokenProvider {

  /** Starts fetching a token; the stage completes with the JWT or fails. */
  CompletionStage<String> fetchToken();

  /**
   * Adapts a blocking fetch (e.g. an HTTP call to your backend). Each call runs on a short-lived
   * daemon thread named {@code realtime-token-fetch}, so the event thread never waits for it.
   */
  static TokenProvider blocking(Callable<String> fetch) {
    return () -> {
      CompletableFuture<String> result = new CompletableFuture<>();
      Thread worker =
          new Thread(
              () -> {
                try {
                  result.complete(fetch.call());
                } catch (Throwable e) {
                  result.completeExceptionally(e);
                }
              },
              "realtime-token-fetch");
      worker.setDaemon(true);
      worker.start();
      return result;
    };
  }
}
