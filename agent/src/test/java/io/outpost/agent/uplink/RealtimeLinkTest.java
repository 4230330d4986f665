package io.outpost.agent.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.TestConfigs;
import io.outpost.agent.config.AgentConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealtimeLinkTest {
  @TempDir Path dir;

  @Test
  void theClientsTokenBucketIsTheAgentsOnePacerSetFromConfig() throws Exception {
    AgentConfig config =
        TestConfigs.load(
            dir,
            """
            {"device": {"id": "pi-1", "fleet": "lab"},
             "network": {"url": "ws://127.0.0.1:9", "token": {"value": "t"},
                         "maxMessagesPerSecond": 12.5},
             "stateDir": "%s"}
            """
                .formatted(dir.resolve("state")));
    RealtimeLink link = new RealtimeLink(config);
    assertThat(link.clientConfig().limits().sendRate()).isEqualTo(12.5);
    assertThat(link.clientConfig().limits().sendBurst()).as("one second's worth").isEqualTo(13);
  }
}
