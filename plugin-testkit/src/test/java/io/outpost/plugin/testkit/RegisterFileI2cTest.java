package io.outpost.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.plugin.I2cModel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RegisterFileI2cTest {

  @Test
  void imageTextSupportsAddressMarkersCommentsAndPrefixes() {
    byte[] image =
        RegisterImage.parse("# chip id\nD0: 60   # BME280\n0x88: 0x70 6B\n00 01\n", "t.hex");
    assertThat(image).hasSize(256);
    assertThat(image[0xD0]).isEqualTo((byte) 0x60);
    assertThat(image[0x88]).isEqualTo((byte) 0x70);
    assertThat(image[0x89]).isEqualTo((byte) 0x6B);
    assertThat(image[0x8A]).as("bytes continue after the last marker").isEqualTo((byte) 0x00);
    assertThat(image[0x8B]).isEqualTo((byte) 0x01);
    assertThat(RegisterImage.parse(RegisterImage.format(image), "round trip")).isEqualTo(image);
  }

  @Test
  void imageErrorsNameFileLineAndToken() {
    assertThatThrownBy(() -> RegisterImage.parse("00 01\nF0: 1 2 3 XYZ\n", "env.hex"))
        .hasMessage("env.hex:2: \"XYZ\" is not a hex byte (expected 00..FF)");
    assertThatThrownBy(() -> RegisterImage.parse("FF: 01 02\n", "env.hex"))
        .hasMessageContaining("env.hex:1: \"02\" would be register 0x100");
  }

  @Test
  void registerPointerModelReadsAndWritesLikeARealChip() throws IOException {
    RegisterFileI2c chip =
        RegisterFileI2c.fromText("10: 01 02 03 04", RegisterFileI2c.REGISTER_POINTER);
    byte[] buf = new byte[3];
    chip.readRegisters(0x11, buf, 0, 3);
    assertThat(buf).containsExactly(2, 3, 4);
    chip.write(new byte[] {0x20, 0x0A, 0x0B}); // pointer, then two data bytes auto-incrementing
    assertThat(chip.get(0x20)).isEqualTo(0x0A);
    assertThat(chip.get(0x21)).isEqualTo(0x0B);
    chip.write(new byte[] {0x10});
    chip.read(buf, 0, 2); // a plain read continues from the pointer
    assertThat(buf).startsWith(1, 2);
    chip.writeRegister(0xF4, 0x25);
    assertThat(chip.readRegister(0xF4)).isEqualTo(0x25);
    assertThat(chip.writes()).hasSize(5);
  }

  @Test
  void injectedNackAndStuckBus() throws Exception {
    RegisterFileI2c chip = new RegisterFileI2c();
    chip.nack();
    assertThatThrownBy(() -> chip.readRegister(0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("NACK");
    chip.failWith(null);
    assertThat(chip.readRegister(0)).isZero();

    chip.hangFor(60_000);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                chip.readRegister(0);
              } catch (Throwable e) {
                failure.set(e);
              }
            });
    t.start();
    t.join(200);
    assertThat(t.isAlive()).isTrue();
    t.interrupt();
    t.join(10_000);
    assertThat(failure.get()).isInstanceOf(InterruptedIOException.class);
  }

  @Test
  void aCustomModelDrivesACommandChip() throws IOException {
    // A toy "command" chip: writing 0xAA latches register 0 plus one.
    I2cModel model =
        new I2cModel() {
          @Override
          public void onWrite(I2cModel.Registers chip, byte[] data) {
            if ((data[0] & 0xFF) == 0xAA) {
              chip.set(1, chip.get(0) + 1);
            }
          }

          @Override
          public void onRead(I2cModel.Registers chip, byte[] buffer) {
            buffer[0] = (byte) chip.get(1);
          }
        };
    RegisterFileI2c chip = RegisterFileI2c.fromText("00: 41", model);
    chip.write(new byte[] {(byte) 0xAA});
    byte[] b = new byte[1];
    chip.read(b, 0, 1);
    assertThat(b[0]).isEqualTo((byte) 0x42);
  }
}
