package io.outpost.agent.cli;

import com.google.gson.JsonElement;
import io.outpost.realtime.AttachmentAssembler;
import io.outpost.realtime.ChannelMessage;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.RealtimeListener;
import io.outpost.realtime.ReconnectPolicy;
import io.outpost.realtime.ReplayEnvelope;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code outpost attachment save}: joins the network as a peer, subscribes to a channel and saves
 * one attachment (inline or in {@code attachment.chunk} messages, reassembled by {@link
 * AttachmentAssembler}) to a file once its size and SHA-256 check out. It sees only what is
 * published after it subscribed: start it, then ask for the picture.
 */
final class AttachmentCommand implements CliCommand {
  private final Supplier<String> environmentToken;

  AttachmentCommand() {
    this(() -> System.getenv("OUTPOST_TOKEN"));
  }

  AttachmentCommand(Supplier<String> environmentToken) {
    this.environmentToken = environmentToken;
  }

  @Override
  public String name() {
    return "attachment";
  }

  @Override
  public String summary() {
    return "save an attachment (a camera picture) from the network to a file";
  }

  @Override
  public String help() {
    return """
        Usage: outpost attachment save --url WS_ORIGIN --channel CHANNEL --id ATTACHMENT_ID --out FILE
                                       [--token JWT] [--timeout 60s]

        Subscribes to CHANNEL (e.g. devices/pi-1/events) and waits for the attachment ATTACHMENT_ID
        (a message's attachment.attachmentId, e.g. <commandId>/snapshot, or, for one sent inline,
        the message's id), reassembles its chunks in any order, checks size and sha256 and writes
        FILE. The token (a realtime JWT allowed to subscribe to CHANNEL) is --token or the
        OUTPOST_TOKEN environment variable. Exit 0 when saved, 1 on timeout (the missing chunks
        are listed), 2 on bad usage.
        """;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
      out.print(help());
      return args.isEmpty() ? USAGE : OK;
    }
    if (!args.get(0).equals("save")) {
      throw new Args.UsageException("outpost attachment: unknown action \"" + args.get(0) + "\"");
    }
    Args a =
        new Args(
            "attachment save",
            args.subList(1, args.size()),
            Set.of("url", "channel", "id", "out", "token", "timeout"),
            Set.of());
    if (a.help()) {
      out.print(help());
      return OK;
    }
    for (String required : List.of("url", "channel", "id", "out")) {
      if (!a.has(required)) {
        throw new Args.UsageException("outpost attachment save: --" + required + " is required");
      }
    }
    String token = a.has("token") ? a.get("token") : environmentToken.get();
    if (token == null || token.isBlank()) {
      throw new Args.UsageException(
          "outpost attachment save: give a token with --token or OUTPOST_TOKEN");
    }
    Duration timeout;
    try {
      timeout =
          io.outpost.plugin.Options.parseDuration(a.has("timeout") ? a.get("timeout") : "60s");
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("outpost attachment save: --timeout: " + e.getMessage());
    }
    return save(
        a.get("url"),
        token,
        a.get("channel"),
        a.get("id"),
        Path.of(a.get("out")),
        timeout,
        out,
        err);
  }

  private static int save(
      String url,
      String token,
      String channel,
      String id,
      Path file,
      Duration timeout,
      PrintStream out,
      PrintStream err)
      throws Exception {
    // The wait itself is the timeout: whatever is pending when it ends is reported as missing.
    AttachmentAssembler assembler = new AttachmentAssembler(Duration.ZERO, 16, 64L << 20);
    CompletableFuture<AttachmentAssembler.Complete> found = new CompletableFuture<>();
    RealtimeListener listener =
        new RealtimeListener() {
          @Override
          public void onMessage(ChannelMessage m) {
            if (!channel.equals(m.channel()) || !m.data().isJsonObject()) {
              return;
            }
            // Chunks stored during an outage arrive inside replay envelopes.
            for (JsonElement data : ReplayEnvelope.unpack(m.data())) {
              if (!data.isJsonObject()) {
                continue;
              }
              try {
                synchronized (assembler) {
                  assembler
                      .offer(data.getAsJsonObject())
                      .filter(c -> id.equals(c.attachmentId()) || id.equals(messageId(c)))
                      .ifPresent(found::complete);
                }
              } catch (IllegalArgumentException e) {
                // Someone else's malformed message must not end the wait for ours.
                err.println("ignoring a malformed attachment message: " + e.getMessage());
              }
            }
          }
        };
    try (RealtimeClient client =
        RealtimeClient.create(
            RealtimeConfig.builder()
                .url(url)
                .tokenProvider(() -> CompletableFuture.completedFuture(token))
                .reconnect(ReconnectPolicy.DEVICE)
                .build(),
            listener)) {
      try {
        client.connect().get(30, TimeUnit.SECONDS);
        client.subscribe(channel).get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        err.println("outpost attachment save: cannot subscribe to " + channel + ": " + cause(e));
        return FAILURE;
      }
      out.println("waiting for attachment " + id + " on " + channel);
      out.flush();
      AttachmentAssembler.Complete c;
      try {
        c = found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        err.println(
            "outpost attachment save: " + id + " not complete after " + timeout.toSeconds() + " s");
        synchronized (assembler) {
          for (AttachmentAssembler.Incomplete i : assembler.expire()) {
            if (i.attachmentId().equals(id)) {
              err.println(
                  "  missing chunks "
                      + i.missing()
                      + (i.described() ? "" : ", and the description")
                      + (i.reason().startsWith("timed out") ? "" : " (" + i.reason() + ")"));
            }
          }
        }
        return FAILURE;
      }
      write(file, c.bytes());
      out.println(
          "saved "
              + c.bytes().length
              + " bytes ("
              + c.contentType()
              + ", sha256 "
              + AttachmentAssembler.sha256(c.bytes())
              + ") to "
              + file);
      return OK;
    }
  }

  private static String messageId(AttachmentAssembler.Complete c) {
    var idElement = c.message().get("id");
    return idElement != null && idElement.isJsonPrimitive() ? idElement.getAsString() : null;
  }

  /** Through a temporary file in the same directory: a partial picture never has the name. */
  private static void write(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".part");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String cause(Exception e) {
    Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
