package io.outpost.bench.client;

import io.outpost.log.JulBridge;
import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.RelaySettings;
import io.outpost.relay.TokenRequest;
import io.outpost.testsupport.RelayProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The relay side of {@link ClientBench}, run in its own JVM so the client's heap and threads can be
 * measured alone. Usage: {@code BenchRelay KEYS_FILE PEER...}. Prints {@code PORT n}, then {@code
 * TOKEN peer jwt} per peer, then {@code READY}; stops when stdin closes.
 */
public final class BenchRelay {

  private BenchRelay() {}

  public static void main(String[] args) throws IOException {
    JulBridge.install();
    RelaySettings settings =
        RelaySettings.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .keys(RelayKeys.load(Path.of(args[0])))
            // The benchmark measures the client, not the abuse limit: raise it out of the way.
            .rateLimit(1_000_000, 1_000_000)
            .build();
    try (Relay relay = Relay.start(settings)) {
      Map<String, String> tokens = new LinkedHashMap<>();
      for (int i = 1; i < args.length; i++) {
        tokens.put(
            args[i],
            relay.mintToken(TokenRequest.builder(args[i]).ttl(Duration.ofHours(2)).build()));
      }
      RelayProcess.announce(System.out, relay.port(), tokens);
      while (System.in.read() >= 0) {
        // run until the parent closes our stdin (or dies)
      }
    }
  }
}
