package io.outpost.dist;

import io.outpost.agent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step of the distribution, run after the jars are copied into {@code lib}: moves the native
 * libraries the device can use out of the jars into {@code native/<debian-arch>/} (loaded from
 * there with {@code org.sqlite.lib.path}, {@code jna.boot.library.path} and {@code
 * pi4j.library.path}, so nothing is extracted to /tmp at run time), drops every other platform's
 * natives, and writes the man page (from the CLI's own help) and the gzipped changelog.
 *
 * <p>Also writes one control directory per architecture ({@code control-<arch>/}, from {@code
 * CONTROL_DIR} with {@code @ARCH@} replaced): each .deb carries only its own natives.
 *
 * <p>Arguments: {@code LIB_DIR OUT_DIR CHANGELOG CONTROL_DIR}.
 */
public final class DebFiles {
  /** Where each Debian architecture's natives are inside the jars that carry them. */
  private static final Map<String, Map<String, String>> NATIVES =
      Map.of(
          "org/sqlite/native/Linux/",
          Map.of("aarch64/", "arm64", "armv7/", "armhf", "x86_64/", "amd64"),
          "com/sun/jna/",
          Map.of("linux-aarch64/", "arm64", "linux-arm/", "armhf", "linux-x86-64/", "amd64"),
          "lib/",
          Map.of("aarch64/", "arm64", "armhf/", "armhf"));

  private DebFiles() {}

  public static void main(String[] args) throws IOException {
    Path lib = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    try (Stream<Path> jars = Files.list(lib)) {
      for (Path jar : jars.sorted().toList()) {
        unpackNatives(jar, out.resolve("native"));
      }
    }
    gzip(manPage().getBytes(StandardCharsets.UTF_8), out.resolve("outpost.1.gz"));
    gzip(Files.readAllBytes(Path.of(args[2])), out.resolve("changelog.gz"));
    for (String arch : List.of("arm64", "armhf", "amd64")) {
      Path dir = out.resolve("control-" + arch);
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(Path.of(args[3]))) {
        for (Path f : files.toList()) {
          Path target = dir.resolve(f.getFileName());
          Files.writeString(target, Files.readString(f).replace("@ARCH@", arch));
          target.toFile().setExecutable(Files.isExecutable(f), false);
        }
      }
    }
  }

  private static boolean isNative(String name) {
    return name.endsWith(".so")
        || name.endsWith(".dll")
        || name.endsWith(".dylib")
        || name.endsWith(".jnilib")
        || name.endsWith(".a");
  }

  /** Copies the kept natives out and rewrites the jar without any native library. */
  static void unpackNatives(Path jar, Path nativeDir) throws IOException {
    boolean hasNatives;
    try (ZipFile z = new ZipFile(jar.toFile())) {
      hasNatives = z.stream().anyMatch(e -> isNative(e.getName()));
    }
    if (!hasNatives) {
      return;
    }
    Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
    try (ZipFile z = new ZipFile(jar.toFile());
        ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(tmp))) {
      Enumeration<? extends ZipEntry> entries = z.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        if (isNative(e.getName())) {
          String arch = archOf(e.getName());
          if (arch != null) {
            Path target = nativeDir.resolve(arch).resolve(Path.of(e.getName()).getFileName());
            Files.createDirectories(target.getParent());
            try (InputStream in = z.getInputStream(e)) {
              Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
          }
          continue;
        }
        ZipEntry copy = new ZipEntry(e.getName());
        copy.setTime(e.getTime());
        zout.putNextEntry(copy);
        try (InputStream in = z.getInputStream(e)) {
          in.transferTo(zout);
        }
        zout.closeEntry();
      }
    }
    Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String archOf(String entry) {
    for (var base : NATIVES.entrySet()) {
      if (entry.startsWith(base.getKey())) {
        String rest = entry.substring(base.getKey().length());
        for (var arch : base.getValue().entrySet()) {
          if (rest.startsWith(arch.getKey())) {
            return arch.getValue();
          }
        }
      }
    }
    return null;
  }

  /**
   * gzip -9n: no file name, zero modification time (reproducible), and the header's "maximum
   * compression" flag, which Debian's checks read and java.util.zip.GZIPOutputStream does not set.
   */
  static void gzip(byte[] content, Path target) throws IOException {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(content);
    try (OutputStream o = Files.newOutputStream(target)) {
      o.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
      java.util.zip.Deflater d = new java.util.zip.Deflater(9, true);
      try (var z =
          new java.util.zip.DeflaterOutputStream(o, d) {
            @Override
            public void close() throws IOException {
              finish();
            }
          }) {
        z.write(content);
      }
      d.end();
      java.nio.ByteBuffer trailer =
          java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      trailer.putInt((int) crc.getValue()).putInt(content.length);
      o.write(trailer.array());
    }
  }

  private static String help(String... args) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    PrintStream p = new PrintStream(b, true, StandardCharsets.UTF_8);
    Main.run(args, p, p);
    return b.toString(StandardCharsets.UTF_8);
  }

  /** outpost(1) in man(7) format, from {@code outpost --help} and each command's {@code --help}. */
  static String manPage() {
    String top = help("--help");
    StringBuilder m = new StringBuilder();
    m.append(".TH OUTPOST 1 \"\" \"outpost\" \"User Commands\"\n");
    m.append(".SH NAME\noutpost \\- small-footprint device agent for Raspberry-Pi-class boards\n");
    m.append(".SH SYNOPSIS\n.B outpost\n.I command\n[\\fIoptions\\fR]\n");
    m.append(".SH DESCRIPTION\n");
    m.append(
        "Reads sensors, publishes telemetry over the Metered Realtime Messaging protocol, runs"
            + " fleet commands and buffers on disk whatever it could not send. Installed as the"
            + " systemd service outpost.service; configuration in /etc/outpost/agent.json.\n");
    m.append(".SH COMMANDS\n");
    Pattern line = Pattern.compile("^  (\\S+) +(.*)$");
    List<String> commands = new ArrayList<>();
    for (String l : top.split("\n")) {
      Matcher x = line.matcher(l);
      if (x.matches()) {
        commands.add(x.group(1));
      }
    }
    for (String c : commands) {
      m.append(".SS ").append(c).append("\n.nf\n");
      m.append(escape(help(c, "--help").stripTrailing())).append("\n.fi\n");
    }
    m.append(".SH EXIT STATUS\n.nf\n");
    for (String l : top.split("\n")) {
      if (l.startsWith("Exit codes")) {
        m.append(escape(l)).append('\n');
      }
    }
    m.append(".fi\n");
    m.append(
        ".SH FILES\n.nf\n/etc/outpost/agent.json, /etc/outpost/agent.d/*.json\n"
            + "/var/lib/outpost (outbox)\n/run/outpost/status.json\n"
            + "/var/cache/outpost/outpost.jsa (class-data archive, /usr/lib/outpost/cds-dump)\n"
            + ".fi\n");
    m.append(".SH SEE ALSO\n/usr/share/doc/outpost/operations.md\n");
    return m.toString();
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (String l : s.split("\n", -1)) {
      String e = l.replace("\\", "\\e");
      if (e.startsWith(".") || e.startsWith("'")) {
        e = "\\&" + e;
      }
      b.append(e).append('\n');
    }
    return b.substring(0, b.length() - 1);
  }
}
