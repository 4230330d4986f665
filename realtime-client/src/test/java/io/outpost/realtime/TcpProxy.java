package io.outpost.realtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder for fault tests. {@link #freezeExisting()} makes every current
 * connection a half-open link: the sockets stay open but nothing is forwarded in either direction
 * any more, like a NAT box that silently dropped its mapping. New connections are forwarded
 * normally.
 */
final class TcpProxy implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  TcpProxy(int targetPort) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "test-proxy-accept");
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Stops forwarding on all current connections without closing them. */
  void freezeExisting() {
    for (Link link : links) {
      link.frozen = true;
    }
  }

  int connectionsAccepted() {
    return links.size();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        Link link = new Link(client, upstream);
        links.add(link);
        link.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Link link : links) {
      link.close();
    }
  }

  private static final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean frozen;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start() throws IOException {
      pump(client.getInputStream(), upstream.getOutputStream(), "up");
      pump(upstream.getInputStream(), client.getOutputStream(), "down");
    }

    private void pump(InputStream in, OutputStream out, String direction) {
      Thread t =
          new Thread(
              () -> {
                byte[] buffer = new byte[16384];
                try {
                  int n;
                  while ((n = in.read(buffer)) >= 0) {
                    if (frozen) {
                      continue; // swallow: the link is "half-open", bytes vanish
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                  }
                } catch (IOException e) {
                  // closed
                } finally {
                  if (!frozen) {
                    close();
                  }
                }
              },
              "test-proxy-" + direction);
      t.setDaemon(true);
      t.start();
    }

    void close() {
      try {
        client.close();
      } catch (IOException ignored) {
        // best effort
      }
      try {
        upstream.close();
      } catch (IOException ignored) {
        // best effort
      }
    }
  }
}
