package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonPrimitive;
import io.outpost.relay.Relay;
import io.outpost.relay.TokenRequest;
import io.outpost.testsupport.RelayExtension;
import io.outpost.testsupport.RelayProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** close() releases everything; credentials never leak into logs, exceptions or toString(). */
@Timeout(30)
class CloseAndSecretsTest {

  @RegisterExtension final RelayExtension<Relay> server = TestRelay.extension(b -> {});

  private Relay relay;

  @BeforeEach
  void start() {
    relay = server.relay();
  }

  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> !t.getName().startsWith("awaitility"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static void exercise(RealtimeClient client, RelayProcess remote, String peer)
      throws Exception {
    client.connect().get(10, TimeUnit.SECONDS);
    client.subscribe("room").get(10, TimeUnit.SECONDS);
    client.publish("room", new JsonPrimitive(1)).get(10, TimeUnit.SECONDS);
    remote.command("KICK " + peer); // exercise the server-side close too (SDK mode: terminal)
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == State.CLOSED);
    client.connect().get(10, TimeUnit.SECONDS);
    client.publish("room", new JsonPrimitive(2)).get(10, TimeUnit.SECONDS);
  }

  private static RealtimeConfig.Builder remoteConfig(RelayProcess remote, String peer) {
    return RealtimeConfig.builder()
        .url(remote.origin())
        .token(remote.token(peer))
        .inactivityTimeout(Duration.ofSeconds(3))
        .closeTimeout(Duration.ofSeconds(2));
  }

  @Test
  void closeLeavesNoThreadsBehind() throws Exception {
    // The relay runs in a child JVM: every thread in this JVM's delta is then the client's.
    try (RelayProcess remote = RelayChild.start("warmup", "leaky")) {
      // Warm up once: JVM-wide threads (e.g. the JDK's Common-Cleaner) start on first use
      // and stay.
      try (RealtimeClient warmup = RealtimeClient.create(remoteConfig(remote, "warmup").build())) {
        exercise(warmup, remote, "warmup");
      }
      Set<Thread> before = new HashSet<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                Set<Thread> now = liveThreads();
                boolean stable = now.equals(before);
                before.clear();
                before.addAll(now);
                assertThat(now)
                    .extracting(Thread::getName)
                    .noneMatch(n -> n.startsWith("realtime-client"));
                assertThat(stable).isTrue();
              });

      RealtimeClient client = RealtimeClient.create(remoteConfig(remote, "leaky").build());
      exercise(client, remote, "leaky");
      assertThat(liveThreads()).anyMatch(t -> t.getName().startsWith("realtime-client-events-"));
      client.close();
      assertThat(client.state()).isEqualTo(State.CLOSED);
      assertThatThrownBy(() -> client.publish("room", new JsonPrimitive(3)).join())
          .cause()
          .isInstanceOf(NotConnectedException.class)
          .hasMessage("client closed");
      assertThatThrownBy(() -> client.connect().join())
          .cause()
          .isInstanceOf(NotConnectedException.class);

      // Every thread the client started (readers, writers, the event thread) ends with it.
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Set<Thread> extra = liveThreads();
                extra.removeAll(before);
                assertThat(extra).extracting(Thread::getName).isEmpty();
              });
    }
  }

  @Test
  void closeFailsPendingRequestsAndIsIdempotentAndBounded() throws Exception {
    RealtimeClient client =
        RealtimeClient.create(TestRelay.config(relay, "quitter").sendRate(1, 1).build());
    client.connect().get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> first = client.publish("x", new JsonPrimitive(1));
    CompletableFuture<Void> queued = client.publish("x", new JsonPrimitive(2));
    first.get(10, TimeUnit.SECONDS);
    long start = System.nanoTime();
    client.close();
    client.close();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
    assertThatThrownBy(queued::join).cause().isInstanceOf(NotConnectedException.class);
  }

  @Test
  void credentialsNeverAppearInLogsExceptionsOrToString() throws Exception {
    String minted = relay.mintToken(TokenRequest.builder("secretive").build());
    String bogus =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bogus-signature-SECRET-" + System.nanoTime();
    AtomicReference<Throwable> failure = new AtomicReference<>();

    RealtimeConfig good =
        TestRelay.config(relay, "secretive")
            .tokenProvider(() -> CompletableFuture.completedFuture(minted))
            .build();
    try (RealtimeClient client = RealtimeClient.create(good)) {
      client.connect().get(10, TimeUnit.SECONDS);
      assertThat(client.toString()).doesNotContain(minted);
      assertThat(good.toString()).doesNotContain(minted);
    }
    // Rejected token (4001) and an unreachable server: the failures must not carry the credential.
    try (RealtimeClient client =
        RealtimeClient.create(
            RealtimeConfig.builder().url(relay.webSocketOrigin()).token(bogus).build())) {
      client.connect().handle((w, e) -> failure.getAndSet(e)).get(10, TimeUnit.SECONDS);
      assertNoSecret(failure.get(), bogus);
    }
    try (RealtimeClient client =
        RealtimeClient.create(
            RealtimeConfig.builder().url("ws://127.0.0.1:1").publishableKey(bogus).build())) {
      client.connect().handle((w, e) -> failure.getAndSet(e)).get(10, TimeUnit.SECONDS);
      assertThat(failure.get()).isNotNull();
      assertNoSecret(failure.get(), bogus);
    }
    try (RealtimeClient client =
        RealtimeClient.create(
            RealtimeConfig.builder()
                .url(relay.webSocketOrigin())
                .tokenProvider(
                    () -> CompletableFuture.failedFuture(new IllegalStateException("mint said no")))
                .build())) {
      client.connect().handle((w, e) -> failure.getAndSet(e)).get(10, TimeUnit.SECONDS);
      assertThat(failure.get())
          .hasMessageContaining("token provider failed")
          .hasMessageContaining("mint said no");
    }
    String log =
        Files.readString(Path.of("target/realtime-client-tests.log"), StandardCharsets.UTF_8);
    assertThat(log.contains("secretive")).as("the log file is being written").isTrue();
    assertThat(log.contains(minted)).as("log contains the minted token").isFalse();
    assertThat(log.contains(bogus)).as("log contains the static key").isFalse();
  }

  private static void assertNoSecret(Throwable failure, String secret) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
      assertThat(t.toString()).doesNotContain(secret);
    }
  }
}
