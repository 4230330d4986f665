package io.outpost.relay.dashboard;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.outpost.log.Logger;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.internal.ApiException;
import io.outpost.relay.internal.Credential;
import io.outpost.relay.internal.Hub;
import io.outpost.relay.internal.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Serves the fleet dashboard: the static page at {@code /} and {@code /dashboard/…}, and three
 * small JSON endpoints the page needs besides the wire protocol:
 *
 * <ul>
 *   <li>{@code POST /dashboard/api/session} {@code {"login": CODE}} → a page token (see {@link
 *       Dashboard});
 *   <li>{@code GET /dashboard/api/channels} → command channels with subscribers (where presence of
 *       devices can be watched) and device event channels with recent messages;
 *   <li>{@code GET /dashboard/api/history?channel=devices/ID/events&seconds=N} → the recent window.
 * </ul>
 *
 * The last two take the page token as {@code Authorization: Bearer …}.
 */
public final class DashboardHandler extends HttpHandler {
  private static final String STATIC_ROOT = "/io/outpost/relay/dashboard/static/";
  private static final int MAX_LOGIN_BODY = 1024;
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "txt", "text/plain; charset=utf-8",
          "png", "image/png");

  private final Dashboard dashboard;
  private final Hub hub;
  private final RelayKeys keys;
  private final Clock clock;

  public DashboardHandler(Dashboard dashboard, Hub hub, RelayKeys keys, Clock clock) {
    this.dashboard = dashboard;
    this.hub = hub;
    this.keys = keys;
    this.clock = clock;
  }

  /** Whether a request path belongs to the dashboard rather than the REST API. */
  public static boolean serves(String path) {
    return path.equals("/") || path.equals("/dashboard") || path.startsWith("/dashboard/");
  }

  @Override
  public void service(Request request, Response response) throws Exception {
    String path = request.getRequestURI();
    if (path.startsWith("/dashboard/api/")) {
      api(request, response, path.substring("/dashboard/api/".length()));
      return;
    }
    if (request.getMethod() != Method.GET && request.getMethod() != Method.HEAD) {
      response.setHeader("Allow", "GET, HEAD");
      sendJson(response, 405, error("invalid_request", "only GET here"));
      return;
    }
    String name =
        path.equals("/") || path.equals("/dashboard")
            ? "index.html"
            : path.substring("/dashboard/".length());
    if (name.isEmpty()) {
      name = "index.html";
    }
    if (name.contains("..") || name.contains("//") || name.startsWith("/")) {
      sendJson(response, 404, error("not_found", "no such file"));
      return;
    }
    byte[] body;
    try (InputStream in = DashboardHandler.class.getResourceAsStream(STATIC_ROOT + name)) {
      if (in == null) {
        sendJson(response, 404, error("not_found", "no such file"));
        return;
      }
      body = in.readAllBytes();
    }
    String ext = name.substring(name.lastIndexOf('.') + 1);
    response.setStatus(200);
    response.setContentType(TYPES.getOrDefault(ext, "application/octet-stream"));
    securityHeaders(response);
    response.setHeader("Cache-Control", "no-cache");
    response.setContentLength(body.length);
    if (request.getMethod() == Method.GET) {
      write(response, body);
    }
  }

  private void api(Request request, Response response, String endpoint) {
    try {
      JsonObject body =
          switch (endpoint) {
            case "session" -> session(request);
            case "channels" -> channels(authorize(request));
            case "history" -> history(request, authorize(request));
            default -> throw new ApiException(404, "not_found", "unknown dashboard endpoint");
          };
      sendJson(response, 200, body);
    } catch (ApiException e) {
      sendJson(response, e.status(), error(e.code(), e.getMessage()));
    }
  }

  private JsonObject session(Request request) throws ApiException {
    if (request.getMethod() != Method.POST) {
      throw new ApiException(405, "invalid_request", "POST a {\"login\": CODE} body");
    }
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(readBody(request));
    } catch (JsonParseException e) {
      throw new ApiException(400, "invalid_request", "body is not JSON");
    }
    JsonElement login = parsed.isJsonObject() ? parsed.getAsJsonObject().get("login") : null;
    if (login == null || !login.isJsonPrimitive() || !login.getAsJsonPrimitive().isString()) {
      throw new ApiException(400, "invalid_request", "login: expected a string");
    }
    Dashboard.Session s = dashboard.login(login.getAsString());
    Logger.info("dashboard session {} ({})", s.peerId(), s.role().name().toLowerCase());
    JsonObject out = new JsonObject();
    out.addProperty("token", s.token());
    out.addProperty("expiresAt", s.expiresAt());
    out.addProperty("peerId", s.peerId());
    out.addProperty("operator", s.role() == Dashboard.Role.OPERATOR);
    return out;
  }

  private Credential authorize(Request request) throws ApiException {
    String header = request.getHeader("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      throw new ApiException(401, "unauthorized", "missing page token");
    }
    try {
      Credential c = Tokens.forToken(header.substring(7).trim(), keys, clock.instant());
      if (!c.peerId().startsWith(Dashboard.PEER_PREFIX) || !c.can("subscribe")) {
        throw new ApiException(401, "unauthorized", "not a dashboard token");
      }
      return c;
    } catch (Tokens.AuthFailure e) {
      throw new ApiException(401, "unauthorized", "invalid page token");
    }
  }

  private JsonObject channels(Credential c) {
    JsonArray presence = new JsonArray();
    for (String channel : hub.exactChannels()) {
      boolean commands = channel.startsWith("fleets/") || channel.startsWith("devices/");
      if (commands && channel.endsWith("/commands") && c.allows(channel)) {
        presence.add(channel);
      }
    }
    JsonObject out = new JsonObject();
    out.add("presence", presence);
    out.add("events", dashboard.recent.channels());
    return out;
  }

  private JsonObject history(Request request, Credential c) throws ApiException {
    String channel = request.getParameter("channel");
    if (channel == null || !c.allows(channel)) {
      throw new ApiException(403, "channel_not_authorized", "channel: a devices/ID/events name");
    }
    long seconds = 900;
    String s = request.getParameter("seconds");
    if (s != null) {
      try {
        seconds = Math.max(1, Math.min(3600, Long.parseLong(s)));
      } catch (NumberFormatException e) {
        throw new ApiException(400, "invalid_request", "seconds: expected a whole number");
      }
    }
    return dashboard.recent.history(channel, seconds * 1000);
  }

  private static String readBody(Request request) throws ApiException {
    if (request.getContentLengthLong() > MAX_LOGIN_BODY) {
      throw new ApiException(413, "invalid_request", "body too large");
    }
    try (InputStream in = request.getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[512];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > MAX_LOGIN_BODY) {
          throw new ApiException(413, "invalid_request", "body too large");
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ApiException(400, "invalid_request", "reading the body failed");
    }
  }

  private static JsonObject error(String code, String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", code);
    o.addProperty("message", message);
    return o;
  }

  private static void securityHeaders(Response response) {
    // The page loads nothing from elsewhere: no CDN, no inline script.
    response.setHeader(
        "Content-Security-Policy",
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
  }

  private static void sendJson(Response response, int status, JsonObject body) {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json; charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(bytes.length);
    write(response, bytes);
  }

  private static void write(Response response, byte[] bytes) {
    try {
      response.getOutputStream().write(bytes);
    } catch (IOException e) {
      Logger.debug("dashboard: client went away: {}", e.toString());
    }
  }
}
