package io.outpost.agent.status;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges the runtime status file the agent writes: healthy only when the file is fresh, the writing
 * process is alive, sensors were read recently, the store is writable, and the link is either
 * connected with a recent ack (or nothing to send) or knowingly offline (reconnecting, buffering).
 */
public final class Health {
  private Health() {}

  /** The verdict: {@code problems} empty means healthy; {@code notes} say what was checked. */
  public record Verdict(List<String> problems, List<String> notes) {
    public boolean healthy() {
      return problems.isEmpty();
    }
  }

  public static Verdict check(Path file, Instant now) {
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    JsonObject s;
    try {
      s = Json.parse(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (NoSuchFileException e) {
      return new Verdict(
          List.of("no status file " + file + ": is the agent running (outpost run)?"), notes);
    } catch (IOException | RuntimeException e) {
      return new Verdict(
          List.of("status file " + file + " is unreadable: " + e.getMessage()), notes);
    }
    try {
      Instant written = Instant.parse(str(s, "writtenAt"));
      long staleMs = s.get("staleAfterMs").getAsLong();
      long age = Duration.between(written, now).toMillis();
      if (age > staleMs) {
        problems.add(
            "status file is "
                + age / 1000
                + " s old (limit "
                + staleMs / 1000
                + " s): the agent is stopped or stuck");
      } else {
        notes.add("status file " + age / 1000 + " s old");
      }
      if ("stopped".equals(str(s, "state"))) {
        problems.add("the agent stopped at " + str(s, "writtenAt"));
      }
      long pid = s.get("pid").getAsLong();
      if (Files.isDirectory(Path.of("/proc")) && !Files.exists(Path.of("/proc/" + pid))) {
        problems.add("process " + pid + " that wrote the status file is gone");
      }
      JsonObject sampling = s.getAsJsonObject("sampling");
      int sensors = sampling.get("sensors").getAsInt();
      if (sensors > 0) {
        JsonElement last = sampling.get("lastReadAt");
        long within = sampling.get("expectedWithinMs").getAsLong();
        if (last == null || last.isJsonNull()) {
          Instant started = Instant.parse(str(s, "startedAt"));
          if (Duration.between(started, now).toMillis() > within) {
            problems.add("no sensor has been read successfully since the start at " + started);
          }
        } else {
          long ago = Duration.between(Instant.parse(last.getAsString()), now).toMillis();
          if (ago > within) {
            problems.add(
                "the last successful sensor read was "
                    + ago / 1000
                    + " s ago (limit "
                    + within / 1000
                    + " s)");
          } else {
            notes.add("sampling " + sensors + " sensors");
          }
        }
      }
      JsonObject buffer = s.getAsJsonObject("buffer");
      if (!buffer.get("writable").getAsBoolean()) {
        problems.add(
            "the outbox is not writable: "
                + (buffer.has("lastError")
                    ? buffer.get("lastError").getAsString()
                    : "unknown error"));
      } else {
        notes.add("outbox writable, " + buffer.get("messages").getAsLong() + " messages waiting");
      }
      JsonObject services = s.getAsJsonObject("services");
      if (services != null) {
        for (var e : services.entrySet()) {
          String h =
              e.getValue().isJsonPrimitive()
                  ? e.getValue().getAsString()
                  : String.valueOf(e.getValue());
          if (h.startsWith("failed")) {
            problems.add("plugin service " + e.getKey() + " is down: " + h);
          }
        }
      }
      JsonObject link = s.getAsJsonObject("link");
      String state = str(link, "state");
      if ("connected".equals(state)) {
        long pending = buffer.get("messages").getAsLong();
        long ackWithin = s.get("ackExpectedWithinMs").getAsLong();
        JsonElement lastAck = s.getAsJsonObject("uplink").get("lastAckAt");
        if (pending > 0) {
          if (lastAck == null) {
            JsonElement since = link.get("connectedAt");
            long connectedFor =
                since == null
                    ? Long.MAX_VALUE
                    : Duration.between(Instant.parse(since.getAsString()), now).toMillis();
            if (connectedFor > ackWithin) {
              problems.add(
                  "connected for "
                      + connectedFor / 1000
                      + " s with "
                      + pending
                      + " messages waiting, but nothing was ever acked");
            }
          } else {
            long ago = Duration.between(Instant.parse(lastAck.getAsString()), now).toMillis();
            if (ago > ackWithin) {
              problems.add(
                  "connected, "
                      + pending
                      + " messages waiting, but the last ack was "
                      + ago / 1000
                      + " s ago");
            } else {
              notes.add("connected, last ack " + ago / 1000 + " s ago");
            }
          }
        } else {
          notes.add("connected, nothing waiting");
        }
      } else if ("connecting".equals(state) || "reconnecting".equals(state)) {
        notes.add("offline (" + state + "), buffering to the outbox");
      } else {
        problems.add("the link is " + state + " and will not reconnect");
      }
    } catch (RuntimeException e) {
      problems.add("status file " + file + " lacks expected fields: " + e);
    }
    return new Verdict(problems, notes);
  }

  private static String str(JsonObject o, String k) {
    JsonElement e = o.get(k);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }
}
