package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.realtime.Credentials;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CredentialSourceTest {

  private static final URI ORIGIN = URI.create("wss://example.com");

  @Test
  void aKeyGoesInKeyAndATokenInTokenUrlEncoded() {
    CredentialSource key =
        new CredentialSource(
            Credentials.publishableKey("pk_live_a+b"), Duration.ofSeconds(1), null, (n, e) -> {});
    CredentialSource token =
        new CredentialSource(Credentials.token("a.b/c"), Duration.ofSeconds(1), null, (n, e) -> {});
    assertThat(key.connectUri(ORIGIN, "pk_live_a+b"))
        .hasToString("wss://example.com/v1?key=pk_live_a%2Bb");
    assertThat(token.connectUri(ORIGIN, "a.b/c")).hasToString("wss://example.com/v1?token=a.b%2Fc");
    assertThat(key.renewable()).isFalse();
  }

  @Test
  void providerFailuresAreReportedFromTheThirdInARowScrubbed() throws Exception {
    EventLoop events = new EventLoop("credential-source-test");
    List<Integer> reported = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    CredentialSource source =
        new CredentialSource(
            Credentials.tokenProvider(
                () -> CompletableFuture.failedFuture(new IllegalStateException("backend down"))),
            Duration.ofSeconds(5),
            events,
            (n, e) -> {
              reported.add(n);
              messages.add(e.getMessage());
            });
    try {
      for (int i = 0; i < 4; i++) {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        events.execute(() -> source.next().whenComplete((s, e) -> failure.complete(e)));
        Throwable e = failure.get(5, TimeUnit.SECONDS);
        events.execute(() -> source.failed(e));
      }
      CompletableFuture<Void> drained = new CompletableFuture<>();
      events.execute(() -> drained.complete(null));
      drained.get(5, TimeUnit.SECONDS);
      assertThat(reported).containsExactly(3, 4);
      assertThat(messages.get(0)).contains("backend down");
      assertThat(source.renewable()).isTrue();
    } finally {
      events.shutdownNow();
    }
  }
}
