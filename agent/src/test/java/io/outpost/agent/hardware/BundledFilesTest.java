package io.outpost.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class BundledFilesTest {
  @TempDir Path dir;

  @Test
  void fixturesInsideAJarAreCopiedOutFilesAndDirectoriesAlike() throws Exception {
    Path jar = dir.resolve("agent.jar");
    try (OutputStream os = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(os)) {
      // Directory entries too, as the jar plugin writes them: a directory is found through its
      // entry.
      for (String d :
          new String[] {
            "profiles/", "profiles/sim/", "profiles/sim/kit/", "profiles/sim/kit/sysfs/"
          }) {
        out.putNextEntry(new JarEntry(d));
        out.closeEntry();
      }
      for (String[] e :
          new String[][] {
            {"profiles/sim/kit/chip.hex", "D0: 60\n"},
            {"profiles/sim/kit/sysfs/proc/uptime", "12.5 3.0\n"},
            {"profiles/sim/kit/sysfs/sys/class/thermal/thermal_zone0/temp", "40000\n"}
          }) {
        out.putNextEntry(new JarEntry(e[0]));
        out.write(e[1].getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Path chip = BundledFiles.find(loader, "sim/kit/chip.hex").orElseThrow();
      assertThat(chip).hasContent("D0: 60");
      Path root = BundledFiles.find(loader, "sim/kit/sysfs").orElseThrow();
      assertThat(root.resolve("proc/uptime")).hasContent("12.5 3.0");
      assertThat(root.resolve("sys/class/thermal/thermal_zone0/temp")).hasContent("40000");
      assertThat(BundledFiles.find(loader, "sim/kit/missing.hex")).isEmpty();
      assertThat(BundledFiles.find(loader, "../etc/passwd")).isEmpty();
    }
  }

  @Test
  void theBundledProfilesFixturesAreOnTheClassPath() {
    assertThat(BundledFiles.find("sim/greenhouse/sht31.hex"))
        .get()
        .satisfies(p -> assertThat(p).isRegularFile());
    assertThat(BundledFiles.find("sim/system-only/sysfs"))
        .get()
        .satisfies(p -> assertThat(p).isDirectory());
  }
}
