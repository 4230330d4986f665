package io.outpost.plugin.testkit;

import io.outpost.plugin.GpioInput;
import io.outpost.plugin.GpioOutput;
import io.outpost.plugin.Hardware.Pull;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Simulated GPIO pins (BCM numbering). A test drives inputs with {@link #setLevel(int, boolean)}
 * and looks at outputs with {@link #level(int)} and {@link #history(int)}.
 *
 * <p>Behaviour, close to a real header: a pin can be claimed once at a time (a second claim throws
 * {@link IOException} "busy", as gpiod does); an input nobody has driven reads high with {@link
 * Pull#UP} and low otherwise; listeners are called on the thread that calls {@link #setLevel}.
 * Debounce uses the injected clock: after a delivered edge, level changes within the debounce time
 * are ignored (the level is still recorded), and the first change after it is delivered if the
 * level differs from the last delivered one. Thread-safe.
 */
public final class FakeGpio {
  private final Clock clock;
  private final Map<Integer, Boolean> levels = new HashMap<>();
  private final Map<Integer, List<Boolean>> history = new HashMap<>();
  private final Map<Integer, Object> claims = new HashMap<>();

  /** Pins with debounce timed by the system clock. */
  public FakeGpio() {
    this(Clock.systemUTC());
  }

  /** Pins with debounce timed by {@code clock} (a {@link FakeClock} in tests). */
  public FakeGpio(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
  }

  /** Claims {@code pin} as an input; see {@link io.outpost.plugin.Hardware#gpioInput}. */
  public synchronized GpioInput input(int pin, Pull pull, Duration debounce) throws IOException {
    checkPin(pin);
    claim(pin);
    levels.putIfAbsent(pin, pull == Pull.UP);
    Input in = new Input(pin, debounce == null ? Duration.ZERO : debounce);
    claims.put(pin, in);
    return in;
  }

  /** Claims {@code pin} as an output driven to {@code initial}. */
  public synchronized GpioOutput output(int pin, boolean initial) throws IOException {
    checkPin(pin);
    claim(pin);
    Output out = new Output(pin);
    claims.put(pin, out);
    drive(pin, initial);
    return out;
  }

  /**
   * Drives an input (or sets the level a later claim will see). Listeners of a claimed input get
   * the debounced change before this returns.
   */
  public void setLevel(int pin, boolean high) {
    Input in;
    synchronized (this) {
      checkPin(pin);
      levels.put(pin, high);
      in = claims.get(pin) instanceof Input i ? i : null;
    }
    if (in != null) {
      in.raw(high);
    }
  }

  /** The pin's current level: what an output last drove, or an input's raw level. */
  public synchronized boolean level(int pin) {
    return levels.getOrDefault(pin, false);
  }

  /** Every level driven on output {@code pin}, oldest first (including the initial one). */
  public synchronized List<Boolean> history(int pin) {
    return List.copyOf(history.getOrDefault(pin, List.of()));
  }

  /** Whether {@code pin} is claimed right now. */
  public synchronized boolean claimed(int pin) {
    return claims.containsKey(pin);
  }

  private void claim(int pin) throws IOException {
    if (claims.containsKey(pin)) {
      throw new IOException("GPIO " + pin + " is busy (already claimed)");
    }
  }

  private synchronized void drive(int pin, boolean high) {
    levels.put(pin, high);
    history.computeIfAbsent(pin, p -> new ArrayList<>()).add(high);
  }

  private synchronized void release(int pin, Object owner) {
    claims.remove(pin, owner);
  }

  private static void checkPin(int pin) {
    if (pin < 0 || pin > 53) {
      throw new IllegalArgumentException("BCM pin " + pin + " out of range 0..53");
    }
  }

  private final class Input implements GpioInput {
    private final int pin;
    private final Duration debounce;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private boolean delivered;
    private Instant lastEdge = Instant.MIN;
    private volatile boolean closed;

    Input(int pin, Duration debounce) {
      this.pin = pin;
      this.debounce = debounce;
      this.delivered = levels.get(pin);
    }

    void raw(boolean high) {
      boolean fire;
      synchronized (this) {
        Instant now = clock.instant();
        boolean inWindow =
            !debounce.isZero() && lastEdge != Instant.MIN && now.isBefore(lastEdge.plus(debounce));
        fire = !closed && !inWindow && high != delivered;
        if (fire) {
          delivered = high;
          lastEdge = now;
        }
      }
      if (fire) {
        for (Consumer<Boolean> l : listeners) {
          l.accept(high);
        }
      }
    }

    @Override
    public synchronized boolean read() throws IOException {
      if (closed) {
        throw new IOException("GPIO " + pin + " input is closed");
      }
      return delivered;
    }

    @Override
    public void onChange(Consumer<Boolean> listener) {
      listeners.add(Objects.requireNonNull(listener, "listener == null"));
    }

    @Override
    public void close() {
      closed = true;
      listeners.clear();
      release(pin, this);
    }
  }

  private final class Output implements GpioOutput {
    private final int pin;
    private volatile boolean closed;

    Output(int pin) {
      this.pin = pin;
    }

    @Override
    public void set(boolean high) throws IOException {
      if (closed) {
        throw new IOException("GPIO " + pin + " output is closed");
      }
      drive(pin, high);
    }

    @Override
    public boolean state() {
      return level(pin);
    }

    @Override
    public void close() {
      closed = true;
      release(pin, this);
    }
  }
}
