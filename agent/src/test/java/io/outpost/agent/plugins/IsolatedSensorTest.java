package io.outpost.agent.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.FakeClock;
import io.outpost.plugin.testkit.TestSensorContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IsolatedSensorTest {
  private final FakeClock clock = new FakeClock();
  private final TestSensorContext ctx = TestSensorContext.builder("plug").clock(clock).build();
  private final IsolatedSensor.Limits limits =
      new IsolatedSensor.Limits(
          Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofSeconds(8), 5, 3);

  /** A plugin factory of {@code type} whose sensors {@code create} makes. */
  private static SensorFactory factory(String type, Function<SensorContext, Sensor> create) {
    return new SensorFactory() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public String description() {
        return "";
      }

      @Override
      public Sensor create(SensorContext c) {
        return create.apply(c);
      }
    };
  }

  /**
   * A factory whose sensor does what {@code behaviour} says on each read (argument: read number
   * from 1).
   */
  private static SensorFactory factory(
      Function<Integer, List<Reading>> behaviour, AtomicInteger closes) {
    return factory(
        "test.plugin",
        c -> {
          AtomicInteger reads = new AtomicInteger();
          return new Sensor() {
            @Override
            public List<Reading> read() {
              return behaviour.apply(reads.incrementAndGet());
            }

            @Override
            public void close() {
              closes.incrementAndGet();
            }
          };
        });
  }

  private List<Reading> one() {
    return List.of(Reading.number("v", null, 1, clock.instant()));
  }

  @Test
  void aThrowingSensorIsReportedFailingWithTheSupervisorsRetryTimeAndRecovers() throws Exception {
    AtomicInteger closes = new AtomicInteger();
    IsolatedSensor s =
        IsolatedSensor.create(
            factory(
                n -> {
                  if (n <= 2) {
                    throw new IllegalStateException("bus error " + n);
                  }
                  return one();
                },
                closes),
            ctx,
            limits);
    assertThat(s.health().state()).isEqualTo(IsolatedSensor.State.NEW);
    assertThatThrownBy(s::read).hasMessage("bus error 1");
    assertThat(s.health().state()).isEqualTo(IsolatedSensor.State.FAILING);
    assertThat(s.health().retryAt()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(1));
    assertThatThrownBy(s::read).hasMessage("bus error 2");
    assertThat(s.health().retryAt()).isEqualTo(clock.instant().plusSeconds(2));
    assertThat(s.read()).hasSize(1);
    assertThat(s.health())
        .extracting(IsolatedSensor.Health::state, IsolatedSensor.Health::consecutiveFailures)
        .containsExactly(IsolatedSensor.State.OK, 0);
    s.close();
    assertThat(s.health().state()).isEqualTo(IsolatedSensor.State.CLOSED);
    assertThat(closes).hasValue(1);
  }

  @Test
  void aLinkageErrorFromThePluginBecomesAnException() throws Exception {
    IsolatedSensor s =
        IsolatedSensor.create(
            factory(
                n -> {
                  throw new NoSuchMethodError("io.outpost.plugin.Reading.gone()");
                },
                new AtomicInteger()),
            ctx,
            limits);
    assertThatThrownBy(s::read)
        .isInstanceOf(Exception.class)
        .hasMessageContaining("sensor plug: plugin failed")
        .hasMessageContaining("Reading.gone()");
    assertThat(s.health().state()).isEqualTo(IsolatedSensor.State.FAILING);
  }

  @Test
  void tooManyReadingsFailTheRead() throws Exception {
    IsolatedSensor s =
        IsolatedSensor.create(
            factory(
                n -> {
                  List<Reading> lots = new ArrayList<>();
                  for (int i = 0; i < 1000; i++) {
                    lots.add(Reading.number("v" + i, null, i, clock.instant()));
                  }
                  return lots;
                },
                new AtomicInteger()),
            ctx,
            limits);
    assertThatThrownBy(s::read).hasMessage("read() returned 1000 readings, the limit is 5");
    assertThat(s.health().state()).isEqualTo(IsolatedSensor.State.FLOODING);
  }

  @Test
  void emitsBeyondTheRateAreDroppedAndCounted() throws Exception {
    SensorFactory chatty =
        factory(
            "test.chatty",
            c -> {
              return () -> {
                for (int i = 0; i < 10; i++) {
                  c.emit(Reading.bool("edge", i % 2 == 0, c.clock().instant()));
                }
                return List.of();
              };
            });
    IsolatedSensor s = IsolatedSensor.create(chatty, ctx, limits);
    assertThat(s.read()).isEmpty();
    assertThat(ctx.emitted()).hasSize(3);
    assertThat(s.health().droppedEmits()).isEqualTo(7);
    assertThat(ctx.logLines())
        .anySatisfy(l -> assertThat(l).contains("emits more than 3 readings a minute"));
    clock.advance(Duration.ofMinutes(1));
    s.read();
    assertThat(ctx.emitted()).as("a new minute, a new allowance").hasSize(6);
  }

  @Test
  void aFactoryThatThrowsBecomesAConfigErrorNamingIt() {
    SensorFactory broken =
        factory(
            "test.broken",
            c -> {
              throw new NullPointerException("options.get(\"port\") is null");
            });
    assertThatThrownBy(() -> IsolatedSensor.create(broken, ctx, limits))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("failed while checking its options: options.get(\"port\") is null");
  }
}
