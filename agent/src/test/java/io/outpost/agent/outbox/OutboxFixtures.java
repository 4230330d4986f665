package io.outpost.agent.outbox;

import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** What the outbox tests share: the default durable buffer and a one-record telemetry message. */
final class OutboxFixtures {
  private OutboxFixtures() {}

  /** Durable, 64 MB, a week, 5 ms group commit, oldest telemetry dropped, events kept. */
  static AgentConfig.Buffer durableBuffer() {
    return new AgentConfig.Buffer(
        true, 64_000_000, Duration.ofDays(7), Duration.ofMillis(5), "dropOldest", "keep");
  }

  /** An outbox of device {@code pi-1} in {@code dir} with {@link #durableBuffer()}. */
  static Outbox openDurable(Path dir) throws Outbox.OutboxException {
    return Outbox.open(dir, "pi-1", durableBuffer(), Clock.systemUTC());
  }

  /** A telemetry message with one counter record of value {@code n}. */
  static JsonObject telemetry(int n) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "telemetry");
    o.add("records", Json.parse("[{\"n\": \"ctr/count\", \"v\": " + n + "}]"));
    return o;
  }
}
