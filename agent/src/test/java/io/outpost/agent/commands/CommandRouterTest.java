package io.outpost.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
import io.outpost.agent.outbox.Outbox;
import io.outpost.agent.outbox.Row;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandResult;
import io.outpost.plugin.testkit.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class CommandRouterTest {
  static final String FLEET = "fleets/f1/commands";
  static final byte[] HMAC_SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  final FakeClock clock = new FakeClock(Instant.parse("2026-11-23T00:00:00Z"));
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  final AtomicInteger echoRuns = new AtomicInteger();
  final CountDownLatch release = new CountDownLatch(1);
  KeyPair edKeys;
  Outbox outbox;
  CommandRouter router;

  @BeforeEach
  void setUp() throws Exception {
    edKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    outbox =
        Outbox.open(
            dir,
            "pi-1",
            new AgentConfig.Buffer(
                true, 64_000_000, Duration.ofDays(7), Duration.ofMillis(2), "dropOldest", "keep"),
            clock);
    router = router(commands(false, List.of("*"), Duration.ofSeconds(5), 1, 1));
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    router.close();
    outbox.close();
    timer.shutdownNow();
  }

  private AgentConfig.Commands commands(
      boolean requireSignature, List<String> allow, Duration timeout, int concurrency, int queue) {
    Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
    keys.put(
        "hk", Map.of("alg", "HS256", "secret", Base64.getEncoder().encodeToString(HMAC_SECRET)));
    keys.put(
        "ek",
        Map.of(
            "alg",
            "EdDSA",
            "publicKey",
            Base64.getEncoder().encodeToString(edKeys.getPublic().getEncoded())));
    return new AgentConfig.Commands(
        true,
        allow,
        List.of("system", "ops-*"),
        requireSignature,
        keys,
        concurrency,
        queue,
        timeout,
        2_000,
        Duration.ofDays(7));
  }

  private CommandRouter router(AgentConfig.Commands cfg) {
    return router(cfg, 50);
  }

  private CommandRouter router(AgentConfig.Commands cfg, double uplinkPerSecond) {
    List<CommandHandler> handlers =
        List.of(
            Handlers.named(
                "echo",
                c -> {
                  echoRuns.incrementAndGet();
                  return CommandResult.succeeded(Map.of("said", c.args().string("text")));
                }),
            Handlers.named(
                "boom",
                c -> {
                  throw new IllegalStateException("relay coil stuck");
                }),
            Handlers.named(
                "hang",
                c -> {
                  release.await();
                  return CommandResult.succeeded();
                }));
    Map<String, CommandHandler> byName = new LinkedHashMap<>();
    handlers.forEach(h -> byName.put(h.name(), h));
    return new CommandRouter("pi-1", "f1", cfg, outbox, byName, clock, timer, uplinkPerSecond);
  }

  private static JsonElement cmd(String json) {
    return Json.parse(json);
  }

  /** Every message the router put into the outbox, in order. */
  private List<Row> rows() {
    return outbox.read(0, Long.MAX_VALUE, 1000);
  }

  private List<JsonObject> results(int atLeast) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> rows().stream().filter(r -> r.to() == null).count() >= atLeast);
    List<JsonObject> out = new ArrayList<>();
    for (Row r : rows()) {
      if (r.to() == null) {
        out.add(Json.parse(r.body()).getAsJsonObject());
      }
    }
    return out;
  }

  private JsonObject only() {
    List<JsonObject> r = results(1);
    assertThat(r).hasSize(1);
    return r.get(0);
  }

  @Test
  void aFleetCommandForThisDeviceRunsAndItsResultIsPublished() {
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-1\", \"name\": \"echo\", \"args\": {\"text\": \"hi\"}, \"target\": [\"pi-9\", \"pi-1\"]}"));
    JsonObject r = only();
    assertThat(r.get("type").getAsString()).isEqualTo("command.result");
    assertThat(r.get("id").getAsString()).isEqualTo("c-1");
    assertThat(r.get("device").getAsString()).isEqualTo("pi-1");
    assertThat(r.get("status").getAsString()).isEqualTo("succeeded");
    assertThat(r.getAsJsonObject("result").get("said").getAsString()).isEqualTo("hi");
    // Results ride the events channel with the stream's sequence, but keep the command's id.
    assertThat(r.get("seq").getAsLong()).isEqualTo(1);
  }

  @Test
  void commandsForOtherDevicesAreIgnoredSilently() throws Exception {
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-1\", \"name\": \"echo\", \"args\": {\"text\": \"x\"}, \"target\": [\"pi-2\"]}"));
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-2\", \"name\": \"echo\", \"args\": {\"text\": \"x\"}, \"target\": \"*\"}"));
    List<JsonObject> r = results(1);
    assertThat(r).extracting(x -> x.get("id").getAsString()).containsExactly("c-2");
  }

  @Test
  void aDirectCommandIsAnsweredOnTheEventsChannelAndToTheSender() {
    router.onDirect(
        "ops-console-1",
        cmd(
            "{\"type\": \"command\", \"id\": \"d-1\", \"name\": \"echo\", \"args\": {\"text\": \"yo\"}}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> rows().size() == 2);
    List<Row> rows = rows();
    assertThat(rows.get(0).channel()).isEqualTo("devices/pi-1/events");
    assertThat(rows.get(1).to()).isEqualTo("ops-console-1");
    assertThat(Json.parse(rows.get(1).body()).getAsJsonObject().get("status").getAsString())
        .isEqualTo("succeeded");
  }

  @Test
  void expiredCommandsNeverRun() {
    long past = clock.millis() - 1;
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-1\", \"name\": \"echo\", \"args\": {\"text\": \"x\"}, \"expiresAt\": "
                + past
                + "}"));
    JsonObject r = only();
    assertThat(r.get("status").getAsString()).isEqualTo("expired");
    assertThat(echoRuns).hasValue(0);
  }

  @Test
  void aRepeatedIdReturnsTheStoredResultEvenAfterARestart() throws Exception {
    String c =
        "{\"type\": \"command\", \"id\": \"c-1\", \"name\": \"echo\", \"args\": {\"text\": \"once\"}}";
    router.onChannelMessage(FLEET, "system", cmd(c));
    results(1);
    router.close();
    outbox.close();
    outbox =
        Outbox.open(
            dir,
            "pi-1",
            new AgentConfig.Buffer(
                true, 64_000_000, Duration.ofDays(7), Duration.ofMillis(2), "dropOldest", "keep"),
            clock);
    router = router(commands(false, List.of("*"), Duration.ofSeconds(5), 1, 1));
    router.onChannelMessage("devices/pi-1/commands", "system", cmd(c));
    List<JsonObject> r = results(2);
    assertThat(echoRuns).hasValue(1);
    assertThat(r.get(1).get("duplicate").getAsBoolean()).isTrue();
    assertThat(r.get(1).getAsJsonObject("result").get("said").getAsString()).isEqualTo("once");
  }

  @Test
  void sendersOutsideAllowFromAreRefused() {
    router.onChannelMessage(
        FLEET,
        "pi-2",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-1\", \"name\": \"echo\", \"args\": {\"text\": \"x\"}}"));
    JsonObject r = only();
    assertThat(r.get("status").getAsString()).isEqualTo("rejected");
    assertThat(r.getAsJsonObject("error").get("code").getAsString()).isEqualTo("unauthorized");
    assertThat(r.getAsJsonObject("error").get("message").getAsString())
        .isEqualTo("sender \"pi-2\" is not allowed (commands.allowFrom)");
    assertThat(echoRuns).hasValue(0);
  }

  @Test
  void namesOutsideAllowAreRejectedAndUnknownNamesSaySo() {
    router.close();
    router = router(commands(false, List.of("ec*", "nothing"), Duration.ofSeconds(5), 1, 1));
    router.onChannelMessage(
        FLEET, "system", cmd("{\"type\": \"command\", \"id\": \"c-1\", \"name\": \"boom\"}"));
    router.onChannelMessage(
        FLEET, "system", cmd("{\"type\": \"command\", \"id\": \"c-2\", \"name\": \"nothing\"}"));
    List<JsonObject> r = results(2);
    assertThat(r.get(0).get("status").getAsString()).isEqualTo("rejected");
    assertThat(r.get(0).getAsJsonObject("error").get("code").getAsString())
        .isEqualTo("not_allowed");
    assertThat(r.get(1).get("status").getAsString()).isEqualTo("unknown_command");
  }

  @Test
  void malformedCommandsGetRejectedWhenTheyHaveAnIdAndNeverDisturbTheRouter() {
    router.onChannelMessage(FLEET, "system", cmd("\"just a string\""));
    router.onChannelMessage(FLEET, "system", cmd("[1, 2]"));
    router.onChannelMessage(FLEET, "system", cmd("{\"type\": \"command\", \"name\": \"echo\"}"));
    router.onChannelMessage(FLEET, "system", cmd("{\"type\": \"telemetry\", \"id\": \"t-1\"}"));
    router.onChannelMessage(
        FLEET, "system", cmd("{\"type\": \"command\", \"id\": \"c-1\", \"name\": 7}"));
    router.onChannelMessage(
        FLEET,
        "system",
        cmd("{\"type\": \"command\", \"id\": \"c-2\", \"name\": \"echo\", \"args\": [1]}"));
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-3\", \"name\": \"echo\", \"args\": {\"text\": 5}}"));
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-4\", \"name\": \"echo\", \"expiresAt\": \"soon\"}"));
    router.onChannelMessage(
        FLEET,
        "system",
        cmd("{\"type\": \"command\", \"id\": \"c-5\", \"name\": \"echo\", \"target\": 42}"));
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-6\", \"name\": \"echo\", \"args\": {\"text\": \""
                + "x".repeat(3000)
                + "\"}}"));
    router.onChannelMessage(
        FLEET, "system", cmd("{\"type\": \"command\", \"id\": \"c-7\", \"name\": \"boom\"}"));
    List<JsonObject> r = results(7);
    Map<String, String> codes = new LinkedHashMap<>();
    for (JsonObject o : r) {
      codes.put(
          o.get("id").getAsString(),
          o.get("status").getAsString()
              + "/"
              + o.getAsJsonObject("error").get("code").getAsString());
    }
    assertThat(codes)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "c-1", "rejected/invalid_command",
                "c-2", "rejected/invalid_args",
                "c-3", "rejected/invalid_args",
                "c-4", "rejected/invalid_command",
                "c-5", "rejected/invalid_command",
                "c-6", "rejected/too_large",
                "c-7", "failed/handler_error"));
    assertThat(
            r.stream()
                .filter(o -> o.get("id").getAsString().equals("c-3"))
                .findFirst()
                .orElseThrow()
                .getAsJsonObject("error")
                .get("message")
                .getAsString())
        .isEqualTo("command c-3 (echo): args: text: expected a string, got 5");
  }

  @Test
  void aHandlerThatOverrunsItsTimeoutFailsWithTimeout() {
    router.close();
    router = router(commands(false, List.of("*"), Duration.ofMillis(300), 1, 1));
    router.onChannelMessage(
        FLEET, "system", cmd("{\"type\": \"command\", \"id\": \"c-1\", \"name\": \"hang\"}"));
    JsonObject r = only();
    assertThat(r.get("status").getAsString()).isEqualTo("failed");
    assertThat(r.getAsJsonObject("error").get("code").getAsString()).isEqualTo("timeout");
  }

  @Test
  void beyondConcurrencyAndQueueCommandsAreRejectedAsBusy() {
    router.onChannelMessage(
        FLEET, "system", cmd("{\"type\": \"command\", \"id\": \"h-1\", \"name\": \"hang\"}"));
    router.onChannelMessage(
        FLEET, "system", cmd("{\"type\": \"command\", \"id\": \"h-2\", \"name\": \"hang\"}"));
    router.onChannelMessage(
        FLEET, "system", cmd("{\"type\": \"command\", \"id\": \"h-3\", \"name\": \"hang\"}"));
    JsonObject r = only();
    assertThat(r.get("id").getAsString()).isEqualTo("h-3");
    assertThat(r.getAsJsonObject("error").get("code").getAsString()).isEqualTo("busy");
    release.countDown();
    List<JsonObject> all = results(3);
    assertThat(all)
        .extracting(x -> x.get("status").getAsString())
        .containsExactly("rejected", "succeeded", "succeeded");
  }

  static final String FORGED = "ping\n2026-01-01 00:00:00.000 ERROR [main] FAKE LOG LINE";

  /** What the agent logs while {@code r} runs (tinylog writes to standard error synchronously). */
  private static String logOf(Runnable r) {
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(saved);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aNameWithANewlineIsRejectedAsInvalidEvenWhenEveryNameIsAllowed() {
    String log =
        logOf(
            () -> {
              router.onChannelMessage(
                  FLEET,
                  "system",
                  cmd(
                      "{\"type\": \"command\", \"id\": \"c-1\", \"name\": "
                          + Json.quote(FORGED)
                          + "}"));
              only();
            });
    JsonObject r = only();
    assertThat(r.get("status").getAsString()).isEqualTo("rejected");
    assertThat(r.getAsJsonObject("error").get("code").getAsString()).isEqualTo("invalid_command");
    assertThat(r.getAsJsonObject("error").get("message").getAsString())
        .isEqualTo("name must not contain control or format characters (found U+000A at 4)");
    assertThat(echoRuns).hasValue(0);
    // The name is in the log line, escaped: no second line starts with the forged date.
    assertThat(log).contains("(ping\\n2026-01-01 00:00:00.000 ERROR [main] FAKE LOG LINE)");
    assertThat(log.lines()).noneMatch(l -> l.startsWith("2026-01-01"));
  }

  @Test
  void networkValuesInLogLinesAreEscapedAndBounded() {
    String log =
        logOf(
            () -> {
              router.onDirect(
                  "evil\u001b[2J\nFAKE",
                  cmd(
                      "{\"type\": \"command\", \"id\": \"x\\u001b[31m\\nFAKE "
                          + "y".repeat(100)
                          + "\", \"name\": "
                          + Json.quote(FORGED)
                          + "}"));
              results(1);
            });
    assertThat(log).doesNotContain("\u001b").contains("evil\\u001b[2J\\nFAKE");
    assertThat(log.lines()).allMatch(l -> !l.startsWith("FAKE") && !l.startsWith("2026-01-01"));
  }

  @Test
  void anAbsurdlyLateExpiresAtIsFarFutureNotExpired() {
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-1\", \"name\": \"echo\", \"args\": {\"text\": \"x\"}, \"expiresAt\": 1e300}"));
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"c-2\", \"name\": \"echo\", \"args\": {\"text\": \"x\"}, \"expiresAt\": -1e300}"));
    List<JsonObject> r = results(2);
    assertThat(r)
        .extracting(o -> o.get("id").getAsString() + "/" + o.get("status").getAsString())
        .containsExactlyInAnyOrder("c-1/succeeded", "c-2/expired");
    assertThat(echoRuns).hasValue(1);
  }

  @Test
  void aFloodFromAnUnauthorisedSenderIsAnsweredOncePerIntervalNotOneForOne() {
    String log =
        logOf(
            () -> {
              for (int i = 0; i < 500; i++) {
                router.onDirect(
                    "pi-2",
                    cmd("{\"type\": \"command\", \"id\": \"j-" + i + "\", \"name\": \"echo\"}"));
                router.onChannelMessage(
                    FLEET,
                    "pi-3",
                    cmd("{\"type\": \"command\", \"id\": \"k-" + i + "\", \"name\": \"echo\"}"));
              }
              router.onChannelMessage(
                  FLEET,
                  "system",
                  cmd(
                      "{\"type\": \"command\", \"id\": \"ok\", \"name\": \"echo\", \"args\": {\"text\": \"x\"}}"));
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(() -> rows().stream().anyMatch(row -> row.body().contains("\"ok\"")));
            });
    List<Row> rows = rows();
    assertThat(rows.stream().filter(r -> r.body().contains("unauthorized")))
        .as("one result per sender on the events channel, one direct answer to pi-2")
        .hasSize(3);
    assertThat(rows.stream().filter(r -> "pi-2".equals(r.to()))).hasSize(1);
    assertThat(log.lines().filter(l -> l.contains("is not allowed (commands.allowFrom)")))
        .hasSize(2);
    assertThat(router.stats()).containsEntry("refusedUnanswered", 998L);
  }

  @Test
  void manyUnauthorisedSendersShareOneCapOnAnsweredRefusals() {
    for (int i = 0; i < 30; i++) {
      router.onChannelMessage(
          FLEET,
          "pi-" + (100 + i),
          cmd("{\"type\": \"command\", \"id\": \"m-" + i + "\", \"name\": \"echo\"}"));
    }
    assertThat(results(10)).hasSize(10);
    assertThat(router.stats()).containsEntry("refusedUnanswered", 20L);
  }

  @Test
  void beyondTheIntakeQueueCommandsAreCountedAndTheFirstAnsweredBusy() {
    router.close();
    router = router(commands(false, List.of("*"), Duration.ofSeconds(5), 1, 1), 1);
    // Hold the timer (which paces the queue) while the flood arrives, as a busy agent might.
    CountDownLatch timerBusy = new CountDownLatch(1);
    timer.execute(
        () -> {
          try {
            timerBusy.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    for (int i = 0; i < CommandRouter.INTAKE_CAPACITY + 51; i++) {
      router.onChannelMessage(
          FLEET,
          "system",
          cmd(
              "{\"type\": \"command\", \"id\": \"c-"
                  + i
                  + "\", \"name\": \"echo\", \"args\": {\"text\": \"x\"}}"));
    }
    timerBusy.countDown();
    List<JsonObject> r = results(2);
    assertThat(r)
        .extracting(o -> o.get("id").getAsString() + "/" + o.get("status").getAsString())
        .containsExactly("c-100/rejected", "c-0/succeeded");
    assertThat(r.get(0).getAsJsonObject("error").get("code").getAsString()).isEqualTo("busy");
    assertThat(router.stats())
        .containsEntry("refusedUnanswered", 50L)
        .containsEntry("queued", CommandRouter.INTAKE_CAPACITY - 1);
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String hs256(String kid, String payload, byte[] secret) throws Exception {
    String signingInput =
        b64(("{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}").getBytes())
            + "."
            + b64(payload.getBytes());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return signingInput + "." + b64(mac.doFinal(signingInput.getBytes()));
  }

  private String ed25519(String kid, String payload) throws Exception {
    String signingInput =
        b64(("{\"alg\":\"EdDSA\",\"kid\":\"" + kid + "\"}").getBytes())
            + "."
            + b64(payload.getBytes());
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(edKeys.getPrivate());
    s.update(signingInput.getBytes());
    return signingInput + "." + b64(s.sign());
  }

  @Test
  void withRequireSignatureOnlyValidJwsCommandsRun() throws Exception {
    router.close();
    router = router(commands(true, List.of("*"), Duration.ofSeconds(5), 2, 4));
    String p1 =
        "{\"type\": \"command\", \"id\": \"s-1\", \"name\": \"echo\", \"args\": {\"text\": \"hmac\"}}";
    String p2 =
        "{\"type\": \"command\", \"id\": \"s-2\", \"name\": \"echo\", \"args\": {\"text\": \"ed\"}}";
    router.onChannelMessage(FLEET, "system", Json.toJson(hs256("hk", p1, HMAC_SECRET)));
    router.onChannelMessage(
        FLEET,
        "system",
        Json.parse(
            "{\"type\": \"command\", \"id\": \"s-2\", \"jws\": \"" + ed25519("ek", p2) + "\"}"));
    router.onChannelMessage(
        FLEET,
        "system",
        Json.parse(
            "{\"type\": \"command\", \"id\": \"s-3\", \"jws\": \""
                + hs256(
                    "hk",
                    "{\"type\": \"command\", \"id\": \"s-3\", \"name\": \"echo\"}",
                    "wrong-secret-wrong-secret-wrong!".getBytes())
                + "\"}"));
    router.onChannelMessage(
        FLEET,
        "system",
        cmd(
            "{\"type\": \"command\", \"id\": \"s-4\", \"name\": \"echo\", \"args\": {\"text\": \"plain\"}}"));
    router.onChannelMessage(
        FLEET,
        "system",
        Json.parse(
            "{\"type\": \"command\", \"id\": \"s-5\", \"jws\": \""
                + hs256(
                    "nope",
                    "{\"type\": \"command\", \"id\": \"s-5\", \"name\": \"echo\"}",
                    HMAC_SECRET)
                + "\"}"));
    List<JsonObject> r = results(5);
    Map<String, String> outcome = new LinkedHashMap<>();
    for (JsonObject o : r) {
      outcome.put(
          o.get("id").getAsString(),
          o.get("status").getAsString()
              + (o.has("error") ? "/" + o.getAsJsonObject("error").get("code").getAsString() : ""));
    }
    assertThat(outcome)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "s-1",
                "succeeded",
                "s-2",
                "succeeded",
                "s-3",
                "rejected/bad_signature",
                "s-4",
                "rejected/signature_required",
                "s-5",
                "rejected/bad_signature"));
    assertThat(echoRuns).hasValue(2);
  }
}
