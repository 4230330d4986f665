package io.outpost.relay.internal;

import io.outpost.relay.RelayKey;
import io.outpost.relay.RelaySettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.tinylog.Logger;

/**
 * Refuses WebSocket upgrades before the handshake: HTTP 429 over the per-IP attempt limit
 * (protocol.md section 11) and HTTP 403 when a publishable key's {@code allowedOrigins} exclude the
 * {@code Origin} header. Sits in the Grizzly chain ahead of Tyrus, because a handshake Tyrus fails
 * is never completed on the wire. Thread-safe.
 */
public final class UpgradeGate extends BaseFilter implements AddOn {
  private final RelaySettings settings;
  private final ConnectAttemptLimiter limiter;

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

  /** Forgets stale per-IP counters; called periodically. */
  public void purge() {
    limiter.purge(System.nanoTime());
  }

  @Override
  public NextAction handleRead(FilterChainContext ctx) throws IOException {
    Object message = ctx.getMessage();
    if (!(message instanceof HttpContent content)
        || !(content.getHttpHeader() instanceof HttpRequestPacket request)
        || !request.isUpgrade()) {
      return ctx.getInvokeAction();
    }
    if (!"websocket".equalsIgnoreCase(request.getUpgrade())) {
      return ctx.getInvokeAction();
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
            origin.replaceAll("\\p{Cntrl}", "?"));
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
