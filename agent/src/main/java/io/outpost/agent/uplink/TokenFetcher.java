package io.outpost.agent.uplink;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.config.TokenSource;
import io.outpost.agent.internal.Json;
import io.outpost.agent.uplink.HttpPost.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Produces the device's token from its {@link TokenSource}, fresh on every call (the realtime
 * client calls it on every connection attempt). Blocking; errors name the source but never contain
 * a token.
 *
 * <p>Token URLs are fetched with {@link HttpPost}, a socket and a few lines of HTTP/1.1, not {@code
 * java.net.http.HttpClient}: a device asks for a token once per connection, and the HttpClient cost
 * the agent a selector thread for its lifetime plus about 850 classes (its own and, even for {@code
 * http://}, the TLS stack with the CA certificates it loads up front): 12 MB of resident memory in
 * heap, metaspace and symbols (docs/performance.md, "Agent"). {@link HttpURLConnection}, used
 * before, still cost about 75 classes; it remains the way through a proxy configured with the JVM's
 * proxy properties. {@code https://} URLs still load TLS, when first used.
 */
public final class TokenFetcher {
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int READ_TIMEOUT_MS = 15_000;

  /** Larger answers are not a token response; stops a misconfigured URL from filling the heap. */
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final String deviceId;
  private final String fleet;

  public TokenFetcher(String deviceId, String fleet) {
    this.deviceId = deviceId;
    this.fleet = fleet;
  }

  /** The channels a device token must cover (what the provisioning request asks for). */
  public List<String> channels() {
    return List.of(
        "devices/" + deviceId + "/events",
        "devices/" + deviceId + "/commands",
        "fleets/" + fleet + "/commands");
  }

  public String fetch(TokenSource source) throws IOException, InterruptedException {
    if (source instanceof TokenSource.FromFile f) {
      try {
        String t = Files.readString(f.path(), StandardCharsets.UTF_8).trim();
        if (t.isEmpty()) {
          throw new IOException("token file " + f.path() + " is empty");
        }
        return t;
      } catch (NoSuchFileException e) {
        throw new IOException("token file " + f.path() + " does not exist");
      }
    }
    if (source instanceof TokenSource.Fixed v) {
      return v.token();
    }
    if (source instanceof TokenSource.FromCommand c) {
      return runCommand(c);
    }
    if (source instanceof TokenSource.FromUrl u) {
      return provision(u);
    }
    throw new IOException("a publishable key is not a token");
  }

  private static String runCommand(TokenSource.FromCommand c)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(c.argv()).redirectErrorStream(false).start();
    p.getOutputStream().close();
    byte[] out;
    byte[] err;
    // Read both streams off-thread so a chatty command cannot block on a full pipe.
    var outF =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    var errF =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    if (!p.waitFor(c.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException(
          "token command "
              + c.argv().get(0)
              + " did not finish within "
              + c.timeout().toMillis()
              + "ms");
    }
    out = outF.join();
    err = errF.join();
    if (p.exitValue() != 0) {
      String first = new String(err, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      throw new IOException(
          "token command "
              + c.argv().get(0)
              + " exited with "
              + p.exitValue()
              + (first.isEmpty() ? "" : ": " + first));
    }
    String t = new String(out, StandardCharsets.UTF_8).trim();
    if (t.isEmpty()) {
      throw new IOException("token command " + c.argv().get(0) + " printed nothing");
    }
    return t;
  }

  private static byte[] readAll(java.io.InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private String provision(TokenSource.FromUrl u) throws IOException, InterruptedException {
    JsonObject body = new JsonObject();
    body.addProperty("peerId", deviceId);
    body.add("channels", Json.toJson(channels()));
    body.add("permissions", Json.toJson(List.of("publish", "subscribe", "send")));
    body.addProperty("expiresInSec", Math.max(1, u.ttl().toSeconds()));
    byte[] payload = Json.write(body).getBytes(StandardCharsets.UTF_8);
    String authorization = u.bearer() == null ? null : "Bearer " + fetch(u.bearer());
    Answer a;
    try {
      a = post(u, payload, authorization);
    } catch (IOException e) {
      throw new IOException(
          "token endpoint "
              + u.url()
              + " unreachable: "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    }
    if (a.status() / 100 != 2) {
      throw new IOException("token endpoint " + u.url() + " answered HTTP " + a.status());
    }
    if (a.body() == null) {
      throw new IOException(
          "token endpoint "
              + u.url()
              + " answered with more than "
              + MAX_RESPONSE_BYTES
              + " bytes");
    }
    String answer = a.body();
    try {
      JsonElement e = Json.parse(answer);
      String token = e.getAsJsonObject().get("token").getAsString();
      if (token.isBlank()) {
        throw new IllegalStateException("empty token");
      }
      return token;
    } catch (RuntimeException e) {
      throw new IOException(
          "token endpoint " + u.url() + " answered without a {\"token\": …} object");
    }
  }

  private static Answer post(TokenSource.FromUrl u, byte[] payload, String authorization)
      throws IOException {
    if (!HttpPost.proxied(u.url())) {
      return HttpPost.post(
          u.url(), payload, authorization, CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS, MAX_RESPONSE_BYTES);
    }
    URLConnection c = u.url().toURL().openConnection();
    if (!(c instanceof HttpURLConnection http)) {
      throw new IOException("not an http(s) URL");
    }
    try {
      http.setConnectTimeout(CONNECT_TIMEOUT_MS);
      http.setReadTimeout(READ_TIMEOUT_MS);
      http.setInstanceFollowRedirects(false);
      http.setUseCaches(false);
      http.setDoOutput(true);
      http.setRequestMethod("POST");
      http.setRequestProperty("Content-Type", "application/json");
      if (authorization != null) {
        http.setRequestProperty("Authorization", authorization);
      }
      http.setFixedLengthStreamingMode(payload.length);
      try (OutputStream out = http.getOutputStream()) {
        out.write(payload);
      }
      int status = http.getResponseCode();
      if (status / 100 != 2) {
        return new Answer(status, "");
      }
      try (InputStream in = http.getInputStream()) {
        byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
        return new Answer(
            status,
            bytes.length > MAX_RESPONSE_BYTES ? null : new String(bytes, StandardCharsets.UTF_8));
      }
    } finally {
      http.disconnect(); // no keep-alive: the next token request is minutes or hours away
    }
  }
}
