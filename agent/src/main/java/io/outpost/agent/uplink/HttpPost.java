package io.outpost.agent.uplink;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 {@code POST} over a socket of its own, closed after the answer: what the token
 * request needs of HTTP, without {@link java.net.HttpURLConnection}, whose protocol handler, proxy
 * selection, authentication and keep-alive caches, progress metering and platform logger are about
 * 75 classes the agent keeps loaded for a request it makes once per connection
 * (docs/performance.md, "Memory"). {@code https://} verifies the server's certificate against the
 * JVM's default trust store and its name as {@link javax.net.ssl.HttpsURLConnection} does. When a
 * proxy is configured ({@link #proxied}), the caller uses {@link java.net.HttpURLConnection}, which
 * honours it.
 */
final class HttpPost {
  /** HTTP status and body (null when larger than the limit; empty unless the status is 2xx). */
  record Answer(int status, String body) {}

  private static final int MAX_HEAD_BYTES = 16 * 1024;

  private HttpPost() {}

  /** Whether the JVM is told to reach {@code url} through a proxy (system properties). */
  static boolean proxied(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    return Boolean.getBoolean("java.net.useSystemProxies")
        || set(scheme + ".proxyHost")
        || set("socksProxyHost");
  }

  private static boolean set(String property) {
    String v = System.getProperty(property);
    return v != null && !v.isEmpty();
  }

  /**
   * Posts {@code payload} as {@code application/json}; reads at most {@code maxBytes} of a 2xx
   * answer's body. Redirects are not followed (a 3xx is returned as it is).
   */
  static Answer post(
      URI url,
      byte[] payload,
      String authorization,
      int connectTimeoutMs,
      int readTimeoutMs,
      int maxBytes)
      throws IOException {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    boolean tls = scheme.equals("https");
    if (!tls && !scheme.equals("http")) {
      throw new IOException("not an http(s) URL");
    }
    String host = url.getHost();
    if (host == null || host.isEmpty()) {
      throw new IOException("no host in the URL");
    }
    int port = url.getPort() < 0 ? (tls ? 443 : 80) : url.getPort();
    // URI keeps an IPv6 literal's brackets; the socket address must not have them.
    String address = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(address, port), connectTimeoutMs);
      socket.setSoTimeout(readTimeoutMs);
      if (tls) {
        SSLSocket s =
            (SSLSocket)
                ((SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(socket, address, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        socket = s;
      }
      OutputStream out = socket.getOutputStream();
      out.write(head(url, host, port, tls, payload.length, authorization));
      out.write(payload);
      out.flush();
      return answer(new BufferedInputStream(socket.getInputStream()), maxBytes);
    } finally {
      socket.close();
    }
  }

  private static byte[] head(
      URI url, String host, int port, boolean tls, int length, String authorization) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      path += "?" + url.getRawQuery();
    }
    String agent = System.getProperty("http.agent");
    String version = "Java/" + System.getProperty("java.version");
    StringBuilder h = new StringBuilder(256);
    h.append("POST ").append(path).append(" HTTP/1.1\r\n");
    h.append("Host: ").append(host);
    if (port != (tls ? 443 : 80)) {
      h.append(':').append(port);
    }
    h.append("\r\n");
    h.append("User-Agent: ").append(agent == null ? version : agent + " " + version).append("\r\n");
    h.append("Content-Type: application/json\r\n");
    if (authorization != null) {
      h.append("Authorization: ").append(authorization).append("\r\n");
    }
    h.append("Content-Length: ").append(length).append("\r\n");
    h.append("Connection: close\r\n\r\n");
    return h.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads the status, skipping interim 1xx answers, then a 2xx answer's body. All the heads
   * together, interim ones included, get {@link #MAX_HEAD_BYTES}: a server that sends header lines
   * or interim answers without end is refused, not read forever.
   */
  static Answer answer(InputStream in, int maxBytes) throws IOException {
    int[] headLeft = {MAX_HEAD_BYTES};
    while (true) {
      String status = headLine(in, headLeft);
      // "HTTP/1.1 200 OK": the code is the second word.
      String[] words = status.split(" ", 3);
      int code;
      try {
        code = words.length >= 2 && words[0].startsWith("HTTP/") ? Integer.parseInt(words[1]) : -1;
      } catch (NumberFormatException e) {
        code = -1;
      }
      if (code < 100 || code > 999) {
        throw new IOException("not an HTTP answer");
      }
      long length = -1;
      boolean chunked = false;
      for (String header = headLine(in, headLeft);
          !header.isEmpty();
          header = headLine(in, headLeft)) {
        int colon = header.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = header.substring(colon + 1).trim();
        if (name.equals("content-length")) {
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length in the HTTP answer");
          }
        } else if (name.equals("transfer-encoding")) {
          chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        }
      }
      if (code / 100 == 1) {
        continue; // 100 Continue and the like: the real answer follows
      }
      if (code / 100 != 2) {
        return new Answer(code, "");
      }
      byte[] body = chunked ? chunked(in, maxBytes) : body(in, length, maxBytes);
      return new Answer(code, body == null ? null : new String(body, StandardCharsets.UTF_8));
    }
  }

  /** A body of {@code length} bytes, or up to the end of the stream when the length is unknown. */
  private static byte[] body(InputStream in, long length, int maxBytes) throws IOException {
    if (length > maxBytes) {
      return null;
    }
    if (length >= 0) {
      byte[] b = in.readNBytes((int) length);
      if (b.length < length) {
        throw new EOFException("the HTTP answer ended before its Content-Length");
      }
      return b;
    }
    byte[] b = in.readNBytes(maxBytes + 1);
    return b.length > maxBytes ? null : b;
  }

  private static byte[] chunked(InputStream in, int maxBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String size = line(in, MAX_HEAD_BYTES);
      int ext = size.indexOf(';');
      long n;
      try {
        n = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).trim(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk in the HTTP answer");
      }
      if (n == 0) {
        return out.toByteArray(); // trailers, if any, are not needed: the socket closes
      }
      if (n < 0 || out.size() + n > maxBytes) {
        return null;
      }
      byte[] b = in.readNBytes((int) n);
      if (b.length < n) {
        throw new EOFException("the HTTP answer ended inside a chunk");
      }
      out.write(b);
      line(in, MAX_HEAD_BYTES); // the CRLF after the chunk
    }
  }

  /**
   * {@link #line} of a head, counted against what is left of the heads' bytes ({@code left[0]}).
   */
  private static String headLine(InputStream in, int[] left) throws IOException {
    String line = line(in, left[0]);
    left[0] -= line.length() + 1;
    return line;
  }

  /** One line of at most {@code limit} characters, without its CRLF (a bare LF is accepted too). */
  private static String line(InputStream in, int limit) throws IOException {
    StringBuilder s = new StringBuilder(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the HTTP answer ended early");
      }
      if (s.length() >= limit) {
        throw new IOException("HTTP answer head too long");
      }
      s.append((char) c);
    }
    int end = s.length();
    if (end > 0 && s.charAt(end - 1) == '\r') {
      end--;
    }
    return s.substring(0, end);
  }
}
