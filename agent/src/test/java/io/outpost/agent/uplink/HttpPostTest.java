package io.outpost.agent.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The token request's HTTP: what goes out, and the answers it understands. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpPostTest {

  /** Answers one connection with {@code answer} and returns the request it read. */
  private static String exchange(String path, String authorization, String answer, int limit)
      throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<String> request =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = server.accept()) {
                  String r = readRequest(s.getInputStream());
                  s.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                  return r;
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
      HttpPost.Answer a =
          HttpPost.post(
              url, "{\"a\":1}".getBytes(StandardCharsets.UTF_8), authorization, 5000, 5000, limit);
      return request.get(10, TimeUnit.SECONDS) + "\n=> " + a.status() + " " + a.body();
    }
  }

  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
      head.write(in.read());
    }
    String h = head.toString(StandardCharsets.UTF_8);
    int length = Integer.parseInt(h.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
    return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Test
  void postsJsonWithTheBearerToThePathAndQuery() throws Exception {
    String r =
        exchange(
            "/v1/tokens?x=1",
            "Bearer k:s",
            "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n{\"token\":\"t\"}",
            1024);
    int port = Integer.parseInt(r.replaceAll("(?s).*Host: 127\\.0\\.0\\.1:(\\d+).*", "$1"));
    assertThat(r)
        .startsWith("POST /v1/tokens?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n")
        .contains(
            "\r\nUser-Agent: Java/" + System.getProperty("java.version") + "\r\n",
            "\r\nContent-Type: application/json\r\n",
            "\r\nAuthorization: Bearer k:s\r\n",
            "\r\nContent-Length: 7\r\n",
            "\r\nConnection: close\r\n\r\n{\"a\":1}")
        .endsWith("\n=> 200 {\"token\":\"t\"}");
  }

  @Test
  void readsChunkedBodiesAndBodiesThatEndWithTheConnection() throws Exception {
    assertThat(
            exchange(
                "/",
                null,
                "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\n{\"tok\r\n8\r\nen\":\"t\"}\r\n0\r\n\r\n",
                1024))
        .doesNotContain("Authorization")
        .endsWith("\n=> 201 {\"token\":\"t\"}");
    assertThat(exchange("", null, "HTTP/1.0 200 OK\r\n\r\n{\"token\":\"u\"}", 1024))
        .startsWith("POST / HTTP/1.1\r\n")
        .endsWith("\n=> 200 {\"token\":\"u\"}");
  }

  @Test
  void skipsInterimAnswersAndDoesNotReadTheBodyOfAnError() throws Exception {
    assertThat(
            exchange(
                "/",
                null,
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
                1024))
        .endsWith("\n=> 200 {}");
    assertThat(
            exchange(
                "/", null, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 5\r\n\r\nnope!", 1024))
        .endsWith("\n=> 401 ");
  }

  @Test
  void aBodyOverTheLimitIsNull() throws Exception {
    String big = "x".repeat(100);
    assertThat(exchange("/", null, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + big, 99))
        .endsWith("\n=> 200 null");
    assertThat(exchange("/", null, "HTTP/1.1 200 OK\r\n\r\n" + big, 99)).endsWith("\n=> 200 null");
    assertThat(
            exchange(
                "/",
                null,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n"
                    + big
                    + "\r\n0\r\n\r\n",
                99))
        .endsWith("\n=> 200 null");
    assertThat(exchange("/", null, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + big, 100))
        .endsWith("\n=> 200 " + big);
  }

  @Test
  void whatIsNotAnHttpAnswerIsAnError() {
    for (String garbage :
        new String[] {
          "",
          "SSH-2.0-OpenSSH_9.2\r\n",
          "HTTP/1.1 abc OK\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
          "HTTP/1.1 200 OK\r\n" + "X: " + "y".repeat(20_000) + "\r\n\r\n",
          // Heads without end, in short lines: header lines, or interim answers.
          "HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(5_000) + "\r\n",
          "HTTP/1.1 100 Continue\r\n\r\n".repeat(2_000) + "HTTP/1.1 200 OK\r\n\r\n"
        }) {
      InputStream in = new ByteArrayInputStream(garbage.getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> HttpPost.answer(in, 1024))
          .as(garbage.length() > 40 ? garbage.substring(0, 40) : garbage)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void onlyHttpAndHttpsUrlsArePosted() {
    assertThatThrownBy(
            () -> HttpPost.post(URI.create("ftp://127.0.0.1/x"), new byte[0], null, 10, 10, 10))
        .isInstanceOf(IOException.class)
        .hasMessage("not an http(s) URL");
  }
}
