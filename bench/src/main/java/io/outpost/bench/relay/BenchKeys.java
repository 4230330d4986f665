package io.outpost.bench.relay;

import io.outpost.relay.RelayKeys;

/**
 * Fixed keys shared by the benchmark's server and client processes (loopback only; not secrets).
 */
final class BenchKeys {
  static final String SECRET_ID = "sk_id_bench";
  static final String SECRET = "sk_secret_bench";
  static final String PUBLISHABLE = "pk_bench";

  private BenchKeys() {}

  static RelayKeys keys() {
    return RelayKeys.parse(
        """
        {"keys": [
          {"id": "sk_id_bench", "secret": "sk_secret_bench", "channelPatterns": ["**"],
           "actions": ["publish", "subscribe", "presence", "send"]},
          {"id": "pk_bench", "channelPatterns": ["**"], "actions": ["publish", "subscribe"]}]}
        """);
  }
}
