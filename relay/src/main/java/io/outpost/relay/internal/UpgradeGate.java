package io.outpost.relay.internal;

import io.outpost.log.Logger;
import io.outpost.relay.RelayKey;
import io.outpost.relay.RelaySettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.ICloseType;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.Protocol;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;

/**
 * Refuses WebSocket upgrades before the handshake: HTTP 400 for a malformed upgrade request (not
 * HTTP/1.1, not GET, no valid {@code Sec-WebSocket-Key}), 426 for a WebSocket version other than
 * 13, 429 over the per-IP attempt limit (protocol.md section 11) and 403 when a publishable key's
 * {@code allowedOrigins} exclude the {@code Origin} header. Sits in the Grizzly chain ahead of
 * Tyrus, because a handshake Tyrus fails is answered with 500 and a logged stack trace.
 *
 * <p>Also closes HTTP connections that do not complete a request within {@code requestTimeout} of
 * being accepted or of their previous response (half-sent requests, idle keep-alive connections);
 * upgraded WebSockets are left to the relay's ping and idle checks. Installs the {@link FrameGuard}
 * right after itself. Thread-safe.
 */
public final class UpgradeGate extends BaseFilter implements AddOn {
  private final RelaySettings settings;
  private final ConnectAttemptLimiter limiter;

  /** HTTP connections waiting for a complete request → deadline (System.nanoTime()). */
  private final Map<org.glassfish.grizzly.Connection<?>, Long> pending = new ConcurrentHashMap<>();

  public UpgradeGate(RelaySettings settings) {
    this.settings = settings;
    this.limiter =
        new ConnectAttemptLimiter(
            settings.connectAttemptsPerIp(),
            settings.connectAttemptWindow().toNanos(),
            settings.limitLoopbackAttempts());
  }

  /** Register before Tyrus' add-on so that this filter runs first. */
  @Override
  public void setup(NetworkListener listener, FilterChainBuilder builder) {
    int codec = builder.indexOfType(org.glassfish.grizzly.http.HttpServerFilter.class);
    builder.set(codec, new DeclineH2cCodec(listener));
    builder.add(builder.indexOfType(HttpServerFilter.class), this);
    builder.add(
        builder.indexOfType(HttpServerFilter.class),
        new FrameGuard(settings.maxMessageSize(), settings.outboundLimit()));
  }

  /**
   * Grizzly's HTTP codec that ignores upgrade offers other than WebSocket. The JDK's HttpClient
   * offers {@code Upgrade: h2c} on plain-HTTP requests; Grizzly would treat everything after such a
   * request's headers as the new protocol and never deliver the request body, so a {@code POST
   * /v1/tokens} from a default JDK client would hang. Declining the offer (as RFC 7230 allows)
   * serves it as HTTP/1.1.
   */
  private static final class DeclineH2cCodec extends org.glassfish.grizzly.http.HttpServerFilter {
    // Same arguments as Grizzly's HttpServer uses for its own codec (Grizzly deprecated them all,
    // but still does).
    @SuppressWarnings("deprecation")
    DeclineH2cCodec(NetworkListener listener) {
      super(
          listener.isChunkingEnabled(),
          listener.getMaxHttpHeaderSize(),
          null,
          listener.getKeepAlive(),
          null,
          listener.getMaxRequestHeaders(),
          listener.getMaxResponseHeaders());
    }

    @Override
    protected void onIncomingUpgrade(
        FilterChainContext ctx, org.glassfish.grizzly.http.HttpHeader header) {
      if ("websocket".equalsIgnoreCase(header.getUpgrade())) {
        super.onIncomingUpgrade(ctx, header);
        return;
      }
      header.getHeaders().removeHeader("Upgrade");
      header.getUpgradeDC().recycle();
    }
  }

  /**
   * Forgets stale per-IP counters and closes HTTP connections past their request deadline; called
   * periodically.
   */
  public void purge() {
    long now = System.nanoTime();
    limiter.purge(now);
    pending.forEach(
        (connection, deadline) -> {
          if (now - deadline >= 0 && pending.remove(connection, deadline)) {
            Logger.debug(
                "{}: no complete request within {} ms, closing",
                connection.getPeerAddress(),
                settings.requestTimeout().toMillis());
            connection.closeSilently();
          }
        });
  }

  @Override
  public NextAction handleAccept(FilterChainContext ctx) throws IOException {
    org.glassfish.grizzly.Connection<?> connection = ctx.getConnection();
    expectRequest(connection);
    connection.addCloseListener(
        new CloseListener<Closeable, ICloseType>() {
          @Override
          public void onClosed(Closeable closeable, ICloseType type) {
            pending.remove(closeable);
          }
        });
    return ctx.getInvokeAction();
  }

  @Override
  public NextAction handleWrite(FilterChainContext ctx) throws IOException {
    if (ctx.getMessage() instanceof HttpContent content
        && content.isLast()
        && content.getHttpHeader() instanceof HttpResponsePacket response
        && !response.getRequest().isUpgrade()) {
      expectRequest(
          ctx.getConnection()); // a keep-alive connection: the next request has a deadline
    }
    return ctx.getInvokeAction();
  }

  private void expectRequest(org.glassfish.grizzly.Connection<?> connection) {
    long timeout = settings.requestTimeout().toNanos();
    if (timeout > 0 && connection.isOpen()) {
      pending.put(connection, System.nanoTime() + timeout);
    }
  }

  @Override
  public NextAction handleRead(FilterChainContext ctx) throws IOException {
    Object message = ctx.getMessage();
    if (!(message instanceof HttpContent content)
        || !(content.getHttpHeader() instanceof HttpRequestPacket request)) {
      return ctx.getInvokeAction();
    }
    if (!request.isUpgrade() || !"websocket".equalsIgnoreCase(request.getUpgrade())) {
      if (content.isLast()) {
        pending.remove(ctx.getConnection()); // complete; the deadline restarts after the response
      }
      return ctx.getInvokeAction();
    }
    if (FrameGuard.upgraded(ctx.getConnection())) {
      return ctx.getInvokeAction(); // frames of an upgraded connection, admitted already
    }
    pending.remove(ctx.getConnection());
    String malformed = malformedUpgrade(request);
    if (malformed != null) {
      Logger.info("upgrade request from {} refused with 400: {}", remoteIp(ctx), malformed);
      return refuse(ctx, request, 400, "Bad Request");
    }
    if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
      Logger.info(
          "upgrade request from {} refused with 426: Sec-WebSocket-Version {} (only 13 is supported)",
          remoteIp(ctx),
          LogSafe.of(request.getHeader("Sec-WebSocket-Version")));
      request.getResponse().setHeader("Sec-WebSocket-Version", "13");
      return refuse(ctx, request, 426, "Upgrade Required");
    }
    String ip =
        ctx.getConnection().getPeerAddress() instanceof InetSocketAddress a
            ? a.getAddress().getHostAddress()
            : null;
    if (!limiter.tryAcquire(ip, System.nanoTime())) {
      Logger.info(
          "connection attempt from {} refused with 429: over {} attempts per {} s",
          ip,
          settings.connectAttemptsPerIp(),
          settings.connectAttemptWindow().toSeconds());
      return refuse(ctx, request, 429, "Too Many Requests");
    }
    String origin = request.getHeader("Origin");
    String keyId = queryParameter(request.getQueryString(), "key");
    if (origin != null && keyId != null) {
      RelayKey key = settings.keys().find(keyId).orElse(null);
      if (key != null && !key.isSecret() && !key.allowsOrigin(origin)) {
        Logger.info(
            "connection with publishable key {} refused with 403: origin \"{}\" not in allowedOrigins",
            key.id(),
            LogSafe.of(origin));
        return refuse(ctx, request, 403, "Forbidden");
      }
    }
    return ctx.getInvokeAction();
  }

  @SuppressWarnings(
      "rawtypes") // Grizzly's FilterChainContext.write takes a raw CompletionHandler<WriteResult>
  private static NextAction refuse(
      FilterChainContext ctx, HttpRequestPacket request, int status, String phrase) {
    HttpResponsePacket response = request.getResponse();
    response.setStatus(status);
    response.setReasonPhrase(phrase);
    response.setContentLength(0);
    response.setHeader("Connection", "close");
    org.glassfish.grizzly.Connection<?> connection = ctx.getConnection();
    ctx.write(
        null,
        HttpContent.builder(response).last(true).build(),
        new EmptyCompletionHandler<WriteResult>() {
          @Override
          public void completed(WriteResult result) {
            connection.closeSilently();
          }

          @Override
          public void failed(Throwable throwable) {
            connection.closeSilently();
          }
        });
    return ctx.getStopAction();
  }

  /** Why {@code request} is not a valid RFC 6455 opening handshake, or null when it is. */
  private static String malformedUpgrade(HttpRequestPacket request) {
    if (request.getProtocol() != Protocol.HTTP_1_1) {
      return "not HTTP/1.1 (" + LogSafe.of(request.getProtocolString()) + ")";
    }
    if (request.getMethod() != Method.GET) {
      return "method is not GET";
    }
    String key = request.getHeader("Sec-WebSocket-Key");
    if (key == null) {
      return "no Sec-WebSocket-Key";
    }
    try {
      if (Base64.getDecoder().decode(key.trim()).length != 16) {
        return "Sec-WebSocket-Key is not 16 bytes";
      }
    } catch (IllegalArgumentException e) {
      return "Sec-WebSocket-Key is not base64";
    }
    return null;
  }

  private static String remoteIp(FilterChainContext ctx) {
    return ctx.getConnection().getPeerAddress() instanceof InetSocketAddress a
        ? a.getAddress().getHostAddress()
        : "?";
  }

  private static String queryParameter(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        try {
          return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }
}
