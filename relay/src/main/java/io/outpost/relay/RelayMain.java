package io.outpost.relay;

import io.outpost.log.JulBridge;
import io.outpost.log.Layout;
import io.outpost.log.Logger;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Command line: {@code outpost relay [--listen HOST:PORT] [--keys FILE] [--help]}. Runs until
 * SIGTERM or Ctrl-C, then stops gracefully ({@code going_away}, close 1001). Exit codes: 0 after a
 * graceful stop or {@code --help}, 1 when the relay cannot start (port taken), 2 for usage and
 * keys-file errors.
 */
public final class RelayMain {
  static final String USAGE =
      String.join(
          "\n",
          "usage: outpost relay [--listen HOST:PORT] [--keys FILE] [--dashboard-commands] [--help]",
          "",
          "Runs a local server speaking the Metered Realtime Messaging protocol:",
          "WebSocket ws://HOST:PORT/v1 and REST http://HOST:PORT/v1 on one port.",
          "",
          "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8787; port 0 = any free port)",
          "  --keys FILE         keys file: {\"keys\": [{\"id\": \"sk_id_…\", \"secret\": \"sk_secret_…\",",
          "                      \"channelPatterns\": [\"**\"], \"actions\": [\"publish\", \"subscribe\", \"presence\",",
          "                      \"send\"]}, ...]}; an entry without \"secret\" is a publishable key.",
          "                      Default: development keys generated once and kept in",
          "                      $XDG_CONFIG_HOME/outpost/relay-keys.json (~/.config/outpost/relay-keys.json)",
          "  --dashboard-commands  also print an operator link to the fleet dashboard (its page may",
          "                      send commands); by default only a read-only link is printed",
          "  --help              print this help",
          "",
          "The fleet dashboard is served at http://HOST:PORT/; the links printed at start carry a",
          "login code made anew each start (anyone with the link can use it until the relay stops).");

  private RelayMain() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Parses {@code args}, starts the relay and blocks until the JVM is asked to stop (SIGTERM,
   * Ctrl-C).
   *
   * @return the process exit code
   */
  public static int run(String[] args) {
    return run(args, System.out, System.err, null);
  }

  /**
   * As {@link #run(String[])}, printing to the given streams; when {@code started} is not null it
   * receives the running relay instead of blocking for a signal (embedding and tests), and the
   * caller owns it.
   */
  static int run(
      String[] args, PrintStream out, PrintStream err, java.util.function.Consumer<Relay> started) {
    InetSocketAddress listen = new InetSocketAddress("127.0.0.1", RelaySettings.DEFAULT_PORT);
    Path keysFile = null;
    boolean operatorLink = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--dashboard-commands" -> operatorLink = true;
        case "--help", "-h" -> {
          out.println(USAGE);
          return 0;
        }
        case "--listen", "--keys" -> {
          if (i + 1 >= args.length) {
            return usageError(err, arg + " needs a value");
          }
          String value = args[++i];
          if (arg.equals("--keys")) {
            keysFile = Path.of(value);
          } else {
            listen = parseListen(value);
            if (listen == null) {
              return usageError(
                  err,
                  "--listen: \""
                      + value
                      + "\" is not HOST:PORT with PORT 0-65535"
                      + " (e.g. 127.0.0.1:8787)");
            }
          }
        }
        default -> {
          return usageError(err, "unknown option \"" + arg + "\"");
        }
      }
    }
    configureLogging();
    RelayKeys keys;
    try {
      if (keysFile != null) {
        keys = RelayKeys.load(keysFile);
      } else {
        Path devFile = RelayKeys.defaultDevelopmentFile();
        keys = RelayKeys.loadOrCreateDevelopment(devFile);
        keys.firstSecretKey()
            .ifPresent(
                k -> {
                  out.println("development keys: " + devFile);
                  out.println("REST credential:  Authorization: Bearer " + k.bearer());
                });
      }
    } catch (RelayKeysException e) {
      err.println("relay: " + e.getMessage());
      return 2;
    } catch (UncheckedIOException e) {
      err.println("relay: " + e.getMessage() + ": " + e.getCause().getMessage());
      return 2;
    }
    Relay relay;
    try {
      relay = Relay.start(RelaySettings.builder().listen(listen).keys(keys).build());
    } catch (IOException e) {
      err.println("relay: " + e.getMessage());
      return 1;
    }
    Logger.info("relay ready: {}/v1 (REST {})", relay.webSocketOrigin(), relay.httpBase());
    relay.dashboardUrl(false).ifPresent(u -> out.println("dashboard (view):    " + u));
    if (operatorLink) {
      relay.dashboardUrl(true).ifPresent(u -> out.println("dashboard (operate): " + u));
    }
    out.flush();
    if (started != null) {
      started.accept(relay);
      return 0;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  relay.shutdown();
                  stopped.countDown();
                },
                "relay-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      relay.shutdown();
    }
    return 0;
  }

  private static int usageError(PrintStream err, String problem) {
    err.println("relay: " + problem);
    err.println(USAGE);
    return 2;
  }

  /** {@code HOST:PORT}, {@code [v6]:PORT}; null when malformed. */
  static InetSocketAddress parseListen(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      return null;
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      return null;
    }
    if (port < 0 || port > 65535 || host.isEmpty()) {
      return null;
    }
    return new InetSocketAddress(host, port);
  }

  private static void configureLogging() {
    // One short line per event; ignored when the process configured logging already (the relay
    // inside `outpost relay` keeps the CLI's configuration), and the system properties
    // outpost.log.level/outpost.log.file still win.
    Logger.configure("info", null, Layout.SHORT);
    // Tyrus and Grizzly announce their start-up at INFO; keep the console to the relay's own lines.
    Logger.setLevel("org.glassfish", "warn");
    JulBridge.install();
  }
}
