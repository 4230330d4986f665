package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that writes 1,000 publishes back to back (far over the burst of 200) gets the close
 * frame 4011 it can act on, not a TCP reset (1006): the relay reads and drops what the client still
 * sends until the client's own close frame, and closes the TCP connection only then.
 */
@Timeout(60)
class PublishBurstCloses4011NotResetTest extends RelayTestSupport {
  @Test
  void aBurstOfAThousandPublishesFromNodeWsIsClosedWith4011() throws Exception {
    startRelay();
    for (int run = 0; run < 3; run++) {
      String url =
          relay.webSocketOrigin()
              + "/v1?token="
              + URLEncoder.encode(
                  relay.mintToken(TokenRequest.builder("burst-" + run).build()),
                  StandardCharsets.UTF_8);
      assertThat(NodeScript.run("abuse.cjs", "burst", url, "1000"))
          .as("run %d", run)
          .filteredOn(l -> l.startsWith("CLOSE"))
          .containsExactly("CLOSE 4011");
    }
    WsClient after = connect("after");
    after.send(frame("ping"));
    after.next("pong");
  }
}
