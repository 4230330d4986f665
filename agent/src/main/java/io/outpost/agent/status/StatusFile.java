package io.outpost.agent.status;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.outpost.agent.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes the runtime status file atomically (a temp file in the same directory, then rename), so
 * {@code outpost health} never reads half a file.
 */
public final class StatusFile {
  // Nulls are written, not dropped: "lastReadAt": null and an output that is not running
  // ("pump": null) say something that an absent key would not.
  private static final Gson PRETTY_WITH_NULLS =
      new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().serializeNulls().create();

  private StatusFile() {}

  public static void write(Path file, Map<String, Object> content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    Files.writeString(
        tmp, PRETTY_WITH_NULLS.toJson(Json.toJson(content)) + "\n", StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
