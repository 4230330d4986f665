package io.outpost.agent.link;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.config.TokenSource;
import io.outpost.agent.internal.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Produces the device's token from its {@link TokenSource}, fresh on every call (the realtime client
 * calls it on every connection attempt). Blocking; errors name the source but never contain a token.
 */
public final class TokenFetcher {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  private final String deviceId;
  private final String fleet;

  public TokenFetcher(String deviceId, String fleet) {
    this.deviceId = deviceId;
    this.fleet = fleet;
  }

  /** The channels a device token must cover (what the provisioning request asks for). */
  public List<String> channels() {
    return List.of("devices/" + deviceId + "/events", "devices/" + deviceId + "/commands", "fleets/" + fleet + "/commands");
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

  private static String runCommand(TokenSource.FromCommand c) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(c.argv()).redirectErrorStream(false).start();
    p.getOutputStream().close();
    byte[] out;
    byte[] err;
    // Read both streams off-thread so a chatty command cannot block on a full pipe.
    var outF = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    var errF = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    if (!p.waitFor(c.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException("token command " + c.argv().get(0) + " did not finish within " + c.timeout().toMillis() + "ms");
    }
    out = outF.join();
    err = errF.join();
    if (p.exitValue() != 0) {
      String first = new String(err, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      throw new IOException("token command " + c.argv().get(0) + " exited with " + p.exitValue() + (first.isEmpty() ? "" : ": " + first));
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
    HttpRequest.Builder req = HttpRequest.newBuilder(u.url()).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.GSON.toJson(body)));
    if (u.bearer() != null) {
      req.header("Authorization", "Bearer " + fetch(u.bearer()));
    }
    HttpResponse<String> resp;
    try {
      resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException("token endpoint " + u.url() + " unreachable: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    }
    if (resp.statusCode() / 100 != 2) {
      throw new IOException("token endpoint " + u.url() + " answered HTTP " + resp.statusCode());
    }
    try {
      JsonElement e = Json.parse(resp.body());
      String token = e.getAsJsonObject().get("token").getAsString();
      if (token.isBlank()) {
        throw new IllegalStateException("empty token");
      }
      return token;
    } catch (RuntimeException e) {
      throw new IOException("token endpoint " + u.url() + " answered without a {\"token\": …} object");
    }
  }
}
