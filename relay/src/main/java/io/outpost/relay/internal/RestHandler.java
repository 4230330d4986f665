package io.outpost.relay.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.outpost.log.Logger;
import io.outpost.relay.RelayKey;
import io.outpost.relay.RelaySettings;
import io.outpost.relay.TokenRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * The REST control plane of protocol.md sections 10 and R, served on the WebSocket's port. Every
 * answer is JSON; failures are {@code {"error": code, "message": text}} with the documented status.
 * Thread-safe.
 */
public final class RestHandler extends HttpHandler {
  /** Largest accepted request body. */
  public static final int MAX_BODY_BYTES = 32 * 1024;

  private static final String CHANNELS = "/v1/channels/";
  private static final String PEERS = "/v1/peers/";

  private final RelaySettings settings;
  private final Hub hub;
  private final Clock clock;
  private final long startedAt;

  public RestHandler(RelaySettings settings, Hub hub, Clock clock) {
    this.settings = settings;
    this.hub = hub;
    this.clock = clock;
    this.startedAt = clock.millis() / 1000;
  }

  @Override
  public void service(Request request, Response response) throws Exception {
    int status;
    JsonObject body;
    try {
      body = route(request);
      status = 200;
    } catch (ApiException e) {
      status = e.status();
      body = new JsonObject();
      body.addProperty("error", e.code());
      body.addProperty("message", e.getMessage());
    } catch (RuntimeException e) {
      Logger.error(
          e,
          "internal error serving {} {}",
          LogSafe.of(request.getMethod()),
          LogSafe.of(request.getRequestURI()));
      status = 500;
      body = new JsonObject();
      body.addProperty("error", "internal_error");
      body.addProperty("message", "internal error");
    }
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json; charset=utf-8");
    response.setContentLength(bytes.length);
    try {
      response.getOutputStream().write(bytes);
    } catch (IOException e) {
      // The client went away (or sent a truncated request and closed); nobody is left to answer.
      Logger.debug(
          "answering {} {} failed: {}",
          LogSafe.of(request.getMethod()),
          LogSafe.of(request.getRequestURI()),
          LogSafe.of(e));
    }
  }

  private JsonObject route(Request request) throws ApiException {
    String path = request.getRequestURI();
    Method method = request.getMethod();
    if (path.equals("/v1/tokens")) {
      expect(method, Method.POST);
      return mint(authenticate(request), readJson(request));
    }
    if (path.equals("/v1/usage")) {
      expect(method, Method.GET);
      authenticate(request);
      return usage();
    }
    if (path.startsWith(CHANNELS) && path.endsWith("/publish")) {
      expect(method, Method.POST);
      RelayKey key = authenticate(request);
      String channel =
          decodeSegment(path.substring(CHANNELS.length(), path.length() - "/publish".length()));
      return publish(key, channel, readJson(request));
    }
    if (path.startsWith(CHANNELS) && path.endsWith("/peers")) {
      expect(method, Method.GET);
      RelayKey key = authenticate(request);
      String channel =
          decodeSegment(path.substring(CHANNELS.length(), path.length() - "/peers".length()));
      return peers(key, channel);
    }
    if (path.startsWith(PEERS)) {
      expect(method, Method.DELETE);
      authenticate(request);
      String peerId = decodeSegment(path.substring(PEERS.length()));
      String bad = Channels.invalidPeerIdReason(peerId);
      if (bad != null) {
        throw new ApiException(400, "invalid_request", bad);
      }
      JsonObject out = new JsonObject();
      out.addProperty("peerId", peerId);
      out.addProperty("closed", kick(hub, peerId));
      return out;
    }
    throw notFound();
  }

  /** Closes every socket of {@code peerId} with 4020; returns how many. */
  public static int kick(Hub hub, String peerId) {
    List<Connection> connections = hub.connectionsOf(peerId);
    for (Connection c : connections) {
      c.close(4020, "disconnected by admin");
    }
    if (!connections.isEmpty()) {
      Logger.info("kicked {} ({} connection(s))", LogSafe.of(peerId), connections.size());
    }
    return connections.size();
  }

  private static void expect(Method actual, Method expected) throws ApiException {
    if (!actual.equals(expected)) {
      throw notFound();
    }
  }

  private static ApiException notFound() {
    return new ApiException(404, "not_found", "unknown endpoint");
  }

  private RelayKey authenticate(Request request) throws ApiException {
    String header = request.getHeader("Authorization");
    String prefix = "Bearer ";
    if (header == null || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
      throw unauthorized();
    }
    String credential = header.substring(prefix.length()).trim();
    int colon = credential.indexOf(':');
    if (colon <= 0) {
      throw unauthorized();
    }
    RelayKey key = settings.keys().find(credential.substring(0, colon)).orElse(null);
    byte[] given = credential.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
    if (key == null
        || !key.isSecret()
        || !MessageDigest.isEqual(key.secret().getBytes(StandardCharsets.UTF_8), given)) {
      throw unauthorized();
    }
    return key;
  }

  private static ApiException unauthorized() {
    // One answer for missing, malformed, unknown, publishable and wrong-secret credentials: no key
    // enumeration.
    return new ApiException(
        401, "unauthorized", "expected Authorization: Bearer sk_id_…:sk_secret_…");
  }

  private static JsonObject readJson(Request request) throws ApiException {
    if (request.getContentLengthLong() > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    byte[] bytes;
    try (InputStream in = request.getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        if (out.size() > MAX_BODY_BYTES) {
          throw tooLarge();
        }
      }
      bytes = out.toByteArray();
    } catch (IOException | RuntimeException e) {
      // Also a connection closed under a blocking read (request timeout, reset): Grizzly reports
      // some of those as runtime exceptions (CancelledKeyException).
      throw new ApiException(
          400, "invalid_request", "reading the request body failed: " + LogSafe.of(e));
    }
    JsonElement parsed;
    try {
      parsed = StrictJson.parse(new String(bytes, StandardCharsets.UTF_8));
    } catch (StrictJson.Malformed e) {
      throw new ApiException(400, "invalid_request", "body is not valid JSON: " + e.getMessage());
    }
    if (!parsed.isJsonObject()) {
      throw new ApiException(400, "invalid_request", "body must be a JSON object");
    }
    return parsed.getAsJsonObject();
  }

  private static ApiException tooLarge() {
    return new ApiException(413, "invalid_request", "body exceeds " + MAX_BODY_BYTES + " bytes");
  }

  private JsonObject mint(RelayKey key, JsonObject body) throws ApiException {
    JsonElement peerId = body.get("peerId");
    if (!isString(peerId)) {
      throw new ApiException(400, "invalid_request", "peerId is required and must be a string");
    }
    TokenRequest.Builder b = TokenRequest.builder(peerId.getAsString());
    if (present(body, "channels")) {
      b.channels(stringList(body.get("channels"), "channels"));
    }
    if (present(body, "permissions")) {
      b.permissions(stringList(body.get("permissions"), "permissions"));
    }
    if (present(body, "expiresInSec")) {
      JsonElement ttl = body.get("expiresInSec");
      if (!ttl.isJsonPrimitive()
          || !ttl.getAsJsonPrimitive().isNumber()
          || ttl.getAsDouble() != Math.rint(ttl.getAsDouble())) {
        throw new ApiException(
            400, "invalid_request", "expiresInSec must be a whole number of seconds, got " + ttl);
      }
      double seconds = ttl.getAsDouble();
      if (seconds < 1 || seconds > TokenRequest.MAX_TTL.getSeconds()) {
        throw new ApiException(
            400,
            "invalid_request",
            "expiresInSec must be from 1 to " + TokenRequest.MAX_TTL.getSeconds() + ", got " + ttl);
      }
      b.ttl(Duration.ofSeconds((long) seconds));
    }
    b.metadata(object(body, "metadata"));
    b.peerMetadata(object(body, "peerMetadata"));
    Tokens.Minted minted = Tokens.mint(key, b.build(), clock.instant());
    JsonObject out = new JsonObject();
    out.addProperty("token", minted.token());
    out.addProperty("expiresAt", minted.expiresAt());
    return out;
  }

  private JsonObject publish(RelayKey key, String channel, JsonObject body) throws ApiException {
    checkChannel(channel);
    if (!body.has("data")) {
      throw new ApiException(400, "invalid_request", "data is required");
    }
    String from = "system";
    if (present(body, "from")) {
      if (!isString(body.get("from"))
          || Channels.invalidPeerIdReason(body.get("from").getAsString()) != null) {
        throw new ApiException(
            400, "invalid_request", "from must be printable ASCII of 1 to 128 characters");
      }
      from = body.get("from").getAsString();
    }
    JsonObject peerMetadata = object(body, "peerMetadata");
    if (peerMetadata != null
        && Tokens.serializedSize(peerMetadata) > Tokens.MAX_PEER_METADATA_BYTES) {
      throw new ApiException(
          400,
          "invalid_request",
          "peerMetadata exceeds " + Tokens.MAX_PEER_METADATA_BYTES + " bytes");
    }
    Tokens.requireAction(key, "publish");
    Tokens.requireChannel(key, channel);
    hub.countMessage();
    int delivered = hub.publish(null, channel, from, peerMetadata, body.get("data"));
    JsonObject out = new JsonObject();
    out.addProperty("channel", channel);
    out.addProperty("delivered", delivered);
    return out;
  }

  private JsonObject peers(RelayKey key, String channel) throws ApiException {
    checkChannel(channel);
    Tokens.requireAction(key, "presence");
    Tokens.requireChannel(key, channel);
    JsonObject out = new JsonObject();
    out.addProperty("channel", channel);
    out.add("peers", Frames.peers(hub.peers(channel)));
    return out;
  }

  private JsonObject usage() {
    JsonObject plan = new JsonObject();
    plan.addProperty("name", "RELAY");
    plan.add("maxConcurrentConnections", com.google.gson.JsonNull.INSTANCE);
    plan.add("maxMessagesPerPeriod", com.google.gson.JsonNull.INSTANCE);
    plan.addProperty("overagesAllowed", false);
    plan.addProperty("overagesEnabled", false);
    JsonObject out = new JsonObject();
    out.addProperty("appId", "relay");
    out.addProperty("periodStartUnix", startedAt);
    out.add("periodEndUnix", com.google.gson.JsonNull.INSTANCE);
    out.addProperty("concurrentNow", hub.concurrentNow());
    out.addProperty("peakConcurrent", hub.peakConcurrent());
    out.addProperty("messagesUsed", hub.messagesUsed());
    out.addProperty("overageMessages", 0);
    out.addProperty("overageConnections", 0);
    out.add("plan", plan);
    return out;
  }

  private static void checkChannel(String channel) throws ApiException {
    String reason = Channels.invalidReason(channel);
    if (reason != null) {
      throw new ApiException(400, "invalid_request", reason);
    }
    if (Channels.isReserved(channel)) {
      throw new ApiException(
          400,
          "channel_reserved",
          "channel uses a reserved prefix (_metered/, _internal/, _system/): " + channel);
    }
  }

  private static boolean present(JsonObject body, String field) {
    return body.has(field) && !body.get(field).isJsonNull();
  }

  private static JsonObject object(JsonObject body, String field) throws ApiException {
    if (!present(body, field)) {
      return null;
    }
    if (!body.get(field).isJsonObject()) {
      throw new ApiException(400, "invalid_request", field + " must be an object");
    }
    return body.get(field).getAsJsonObject();
  }

  private static List<String> stringList(JsonElement e, String field) throws ApiException {
    if (!e.isJsonArray()) {
      throw new ApiException(400, "invalid_request", field + " must be an array of strings");
    }
    JsonArray array = e.getAsJsonArray();
    List<String> out = new ArrayList<>(array.size());
    for (JsonElement item : array) {
      if (!isString(item)) {
        throw new ApiException(400, "invalid_request", field + " must be an array of strings");
      }
      out.add(item.getAsString());
    }
    return out;
  }

  private static boolean isString(JsonElement e) {
    return e != null && e.isJsonPrimitive() && ((JsonPrimitive) e).isString();
  }

  /** Percent-decodes one path segment as UTF-8 ({@code +} stays a plus sign, as in paths). */
  static String decodeSegment(String raw) throws ApiException {
    if (raw.isEmpty()) {
      throw new ApiException(400, "invalid_request", "empty name in path");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char ch = raw.charAt(i);
      if (ch == '%') {
        if (i + 2 >= raw.length()) {
          throw new ApiException(400, "invalid_request", "malformed percent-encoding in path");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new ApiException(400, "invalid_request", "malformed percent-encoding in path");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        int end = raw.indexOf('%', i);
        end = end < 0 ? raw.length() : end;
        byte[] b = raw.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i = end - 1;
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ApiException(400, "invalid_request", "path is not UTF-8");
    }
  }
}
