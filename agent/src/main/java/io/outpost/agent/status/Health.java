package io.outpost.agent.status;

import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Judges the running agent from its status file, strictly enough for an OTA commit: healthy only
 * when the file is fresh, its process alive, sensors were read recently, the store is writable, no
 * plugin service has failed, the credential is usable, and the agent has proven end-to-end delivery
 * since it started (a publish the server acked) — or, only when the caller allows it, is knowingly
 * offline (reconnecting with a usable credential).
 */
public final class Health {
  private Health() {}

  /** The verdict: {@code problems} empty means healthy; {@code notes} say what was checked. */
  public record Verdict(List<String> problems, List<String> notes) {
    public boolean healthy() {
      return problems.isEmpty();
    }
  }

  /** Strict: offline without a delivery since the start is unhealthy. */
  public static Verdict check(Path file, Instant now) {
    return check(file, now, false);
  }

  /**
   * @param allowOffline whether an agent that is reconnecting with a usable credential, but has not
   *     delivered anything since its start, counts as healthy (sites that commit updates offline)
   */
  public static Verdict check(Path file, Instant now, boolean allowOffline) {
    StatusSnapshot s;
    try {
      s = StatusSnapshot.read(file);
    } catch (NoSuchFileException e) {
      return new Verdict(
          List.of("no status file " + file + ": is the agent running (outpost run)?"), List.of());
    } catch (IOException | JsonParseException e) {
      return new Verdict(
          List.of("status file " + file + " is unreadable: " + e.getMessage()), List.of());
    } catch (RuntimeException e) {
      return new Verdict(
          List.of("status file " + file + " lacks expected fields: " + e.getMessage()), List.of());
    }
    return judge(s, now, allowOffline);
  }

  /** Judges a snapshot (as read from the file). */
  public static Verdict judge(StatusSnapshot s, Instant now, boolean allowOffline) {
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    long age = Duration.between(s.writtenAt(), now).toMillis();
    if (age > s.staleAfterMs()) {
      problems.add(
          "status file is "
              + age / 1000
              + " s old (limit "
              + s.staleAfterMs() / 1000
              + " s): the agent is stopped or stuck");
    } else {
      notes.add("status file " + age / 1000 + " s old");
    }
    if ("stopped".equals(s.state())) {
      problems.add("the agent stopped at " + s.writtenAt());
    }
    if (Files.isDirectory(Path.of("/proc")) && !Files.exists(Path.of("/proc/" + s.pid()))) {
      problems.add("process " + s.pid() + " that wrote the status file is gone");
    }
    sampling(s, now, problems, notes);
    StatusSnapshot.Store buffer = s.buffer();
    if (!buffer.writable()) {
      problems.add(
          "the outbox is not writable: "
              + (buffer.lastError() != null ? buffer.lastError() : "unknown error"));
    } else {
      notes.add("outbox writable, " + buffer.messages() + " messages waiting");
    }
    if (s.services() != null) {
      for (Map.Entry<String, String> e : s.services().entrySet()) {
        if (e.getValue() != null && e.getValue().startsWith("failed")) {
          problems.add("plugin service " + e.getKey() + " is down: " + e.getValue());
        }
      }
    }
    if (s.credentialProblem() != null) {
      problems.add("the agent cannot connect: " + s.credentialProblem());
    }
    delivery(s, now, allowOffline, problems, notes);
    return new Verdict(problems, notes);
  }

  private static void sampling(
      StatusSnapshot s, Instant now, List<String> problems, List<String> notes) {
    StatusSnapshot.Sampling sampling = s.sampling();
    if (sampling.sensors() == 0) {
      return;
    }
    long within = sampling.expectedWithinMs();
    if (sampling.lastReadAt() == null) {
      if (Duration.between(s.startedAt(), now).toMillis() > within) {
        problems.add("no sensor has been read successfully since the start at " + s.startedAt());
      }
      return;
    }
    long ago = Duration.between(sampling.lastReadAt(), now).toMillis();
    if (ago > within) {
      problems.add(
          "the last successful sensor read was "
              + ago / 1000
              + " s ago (limit "
              + within / 1000
              + " s)");
    } else {
      notes.add("sampling " + sampling.sensors() + " sensors");
    }
  }

  /** Proven delivery since the start, or (when allowed) knowingly offline. */
  private static void delivery(
      StatusSnapshot s,
      Instant now,
      boolean allowOffline,
      List<String> problems,
      List<String> notes) {
    String state = s.link().state();
    Instant lastAck = s.uplink() == null ? null : s.uplink().lastAckAt();
    boolean reconnecting = "connecting".equals(state) || "reconnecting".equals(state);
    if (!"connected".equals(state) && !reconnecting) {
      problems.add("the link is " + state + " and will not reconnect");
      return;
    }
    if ("connected".equals(state)) {
      long pending = s.buffer().messages();
      if (lastAck != null) {
        long ago = Duration.between(lastAck, now).toMillis();
        if (pending > 0 && ago > s.ackExpectedWithinMs()) {
          problems.add(
              "connected, "
                  + pending
                  + " messages waiting, but the last ack was "
                  + ago / 1000
                  + " s ago");
        } else {
          notes.add("connected, last ack " + ago / 1000 + " s ago");
        }
        return;
      }
      Instant since = s.link().connectedAt();
      long connectedFor = since == null ? Long.MAX_VALUE : Duration.between(since, now).toMillis();
      if (pending > 0 && connectedFor > s.ackExpectedWithinMs()) {
        problems.add(
            "connected for "
                + connectedFor / 1000
                + " s with "
                + pending
                + " messages waiting, but nothing was ever acked");
      } else {
        problems.add("connected, but no publish has been acked since the start yet");
      }
      return;
    }
    if (lastAck != null) {
      notes.add(
          "offline (" + state + ") after delivering since the start, buffering to the outbox");
    } else if (allowOffline && s.credentialProblem() == null) {
      notes.add("offline (" + state + "), buffering to the outbox (allowed: --allow-offline)");
    } else {
      problems.add(
          "offline ("
              + state
              + ") and nothing was delivered since the start at "
              + s.startedAt()
              + (allowOffline
                  ? ""
                  : " (outpost health --allow-offline accepts a device that is"
                      + " knowingly offline with a usable credential)"));
    }
  }
}
