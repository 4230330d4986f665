package io.outpost.realtime;

/**
 * Lifecycle of a {@link RealtimeClient}, mirroring the JS SDK's {@code SignallingClient} states.
 *
 * <pre>
 *            connect()                      welcome
 *   IDLE ──────────────► CONNECTING ────────────────────► CONNECTED ◄─────────┐
 *                          │     │ failed before welcome:    │                │ welcome
 *                          │     │ DEVICE policy retries     │ socket lost,   │ (channels
 *                          │     └─────────────────────┐     │ retryable code │ re-subscribed)
 *                          │                           ▼     ▼                │
 *                          │ failed before welcome   RECONNECTING ────────────┘
 *                          │ (SDK policy: no retry)      │ terminal code (SDK policy),
 *                          ▼                             │ attempts used up
 *                        CLOSED ◄────────────────────────┘
 *                          ▲
 *            close() ──────┘  (from any state)
 * </pre>
 *
 * <p>After the server ended the connection for good (terminal close code, attempts used up, failed
 * first connect) {@link RealtimeClient#connect()} may be called again. After {@link
 * RealtimeClient#close()} the client is finished for good: its threads are stopped and every call
 * fails with {@link NotConnectedException}.
 *
 * <p>A token refresh (make-before-break) does not change the state: the client stays {@code
 * CONNECTED} while it opens the replacement connection in the background.
 */
public enum State {
  /** Created, {@link RealtimeClient#connect()} not called yet. */
  IDLE,
  /**
   * First connection attempt in progress (credential fetch, WebSocket upgrade, waiting for
   * welcome).
   */
  CONNECTING,
  /** Welcome received; requests may be sent. */
  CONNECTED,
  /** The connection was lost; a new attempt is scheduled or running. Requests fail fast. */
  RECONNECTING,
  /**
   * Closed by {@link RealtimeClient#close()}, by a terminal close code, or after the last attempt.
   */
  CLOSED
}
