package io.outpost.realtime;

import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.TokenRequest;
import io.outpost.testsupport.RelayProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The child side of a {@link RelayProcess}: a relay with development keys and a token per peer
 * named on the command line; obeys {@code KICK peer} lines on stdin.
 */
final class RelayChild {

  private RelayChild() {}

  /** A relay in a child JVM with a token for each of {@code peers}. */
  static RelayProcess start(String... peers) throws IOException {
    return RelayProcess.start(
        RelayChild.class.getName(), List.of("-Xmx128m"), List.of(peers), false);
  }

  /** The child's entry point. */
  public static void main(String[] peers) throws IOException {
    try (Relay relay = TestRelay.start(RelayKeys.development(), 0, b -> {})) {
      Map<String, String> tokens = new LinkedHashMap<>();
      for (String peer : peers) {
        tokens.put(
            peer, relay.mintToken(TokenRequest.builder(peer).ttl(Duration.ofHours(1)).build()));
      }
      RelayProcess.announce(System.out, relay.port(), tokens);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("KICK ")) {
          relay.kick(line.substring(5));
        }
      }
    }
  }
}
