package io.outpost.agent.cli;

import io.outpost.agent.Agent;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.hardware.Hardwares;
import io.outpost.agent.outbox.Outbox;
import io.outpost.agent.systemd.ServiceNotifier;
import io.outpost.agent.uplink.RealtimeLink;
import io.outpost.log.Logger;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code outpost run}: the agent in the foreground, until SIGTERM/SIGINT or {@code agent.restart}.
 */
final class RunCommand implements CliCommand {
  private final ConfigLoader loader;

  RunCommand(ConfigLoader loader) {
    this.loader = loader;
  }

  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "run the agent in the foreground (what systemd starts)";
  }

  @Override
  public String help() {
    return """
        Usage: outpost run [--config FILE]

        Runs the agent: samples the profile's sensors, keeps every message in the outbox under
        the state directory until the server acked it, executes commands, writes the status
        file. Logs go to standard error (journald on a device) or log.file.
        SIGTERM or SIGINT stop it cleanly: the last batch is flushed into the outbox, the link
        and the store are closed. Exit codes: 0 stopped, 1 runtime failure (e.g. the state
        directory is unusable), 2 invalid configuration, 75 restart requested (agent.restart).
        Outputs (gpio-out) are in their safe state when it has stopped.

        """
        + Setup.CONFIG_OPTIONS;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return Setup.withConfig(
        this,
        loader,
        args,
        true,
        out,
        err,
        config -> {
          // Before anything logs (the plugin loader does): the logging configuration is fixed by
          // the first line written.
          Logging.configure(config.log().level(), config.log().file());
          return run(Setup.loadWithPlugins(config, Clock.systemUTC(), err), err);
        });
  }

  private static int run(Setup.Loaded l, PrintStream err) throws InterruptedException {
    Agent agent;
    try {
      agent =
          Agent.start(
              l.config(),
              l.sensors(),
              l.outputs(),
              new RealtimeLink(l.config()),
              Clock.systemUTC(),
              l.plugins(),
              l.cameras());
    } catch (Outbox.OutboxException e) {
      l.plugins().close();
      Logger.error("cannot start: {}", e.getMessage());
      err.println("outpost run: " + e.getMessage());
      return FAILURE;
    }
    // Config valid, store open, agent started: ready for systemd (Type=notify).
    ServiceNotifier notifier = ServiceNotifier.fromEnvironment(agent::snapshot, agent.timer());
    notifier.ready();
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              Logger.info("stop signal received");
              notifier.stopping();
              agent.stop(0);
              try {
                // The JVM exits when this hook returns: wait for the orderly shutdown on the main
                // thread.
                closed.await(15, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int code;
    try {
      code = agent.awaitExit();
      notifier.stopping();
    } finally {
      notifier.close();
      // Closing the agent closes every sensor (outputs go to their safe state); only then may the
      // process-wide Pi4J context, which owns the pins, be released.
      agent.close();
      Hardwares.shutdown();
      closed.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // Already exiting because of the signal.
    }
    return code;
  }
}
