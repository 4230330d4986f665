package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RelayMain} as a real process: development keys, the ready line, and SIGTERM → going_away +
 * 1001.
 */
@Timeout(60)
class RelayProcessTest {
  @TempDir Path config;

  @Test
  void firstStartCreatesDevelopmentKeysAndSigtermStopsGracefully() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.outpost.relay.RelayMain",
                "--listen",
                "127.0.0.1:0")
            .redirectErrorStream(true);
    pb.environment().put("XDG_CONFIG_HOME", config.toString());
    Process relay = pb.start();
    List<String> output = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8))) {
      String bearer = null;
      String origin = null;
      for (String line; origin == null && (line = out.readLine()) != null; ) {
        output.add(line);
        Matcher b = Pattern.compile("Authorization: Bearer (\\S+)").matcher(line);
        if (b.find()) {
          bearer = b.group(1);
        }
        Matcher ready =
            Pattern.compile(
                    "relay ready: (ws://127\\.0\\.0\\.1:\\d+)/v1 \\(REST http://127\\.0\\.0\\.1:\\d+/v1\\)")
                .matcher(line);
        if (ready.find()) {
          origin = ready.group(1);
        }
      }
      assertThat(origin).as("ready line in %s", output).isNotNull();
      Path keys = config.resolve("outpost").resolve("relay-keys.json");
      assertThat(output).contains("development keys: " + keys);
      assertThat(Files.readString(keys)).contains(bearer.substring(0, bearer.indexOf(':')));
      assertThat(output.stream().filter(l -> l.contains("relay ready"))).hasSize(1);

      HttpResponse<String> minted =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(origin.replace("ws:", "http:") + "/v1/tokens"))
                      .header("Authorization", "Bearer " + bearer)
                      .POST(HttpRequest.BodyPublishers.ofString("{\"peerId\": \"cli\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      String token =
          JsonParser.parseString(minted.body()).getAsJsonObject().get("token").getAsString();
      try (WsClient client =
          WsClient.connectWelcomed(
              URI.create(
                  origin + "/v1?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))) {
        relay.destroy(); // SIGTERM

        assertThat(client.next("going_away").get("retryAfterMs").getAsInt()).isEqualTo(1000);
        assertThat(client.awaitClose()).isEqualTo(1001);
      }
      assertThat(relay.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      relay.destroyForcibly();
    }
  }
}
