package com.example.outpost.scd4x;

import io.outpost.plugin.I2cModel;
import java.io.IOException;
import java.util.Locale;

/**
 * A behaviour model of the SCD4x over a register image: the image holds what the sensor would
 * measure, the model answers the datasheet's commands. The tests run it in the test kit's {@code
 * RegisterFileI2c}; {@link Scd4xFactory#simulationModel()} hands it to the agent, so a profile's
 * {@code "simulate": {"i2c": "scd4x.hex"}} runs on the same model.
 *
 * <pre>
 * 00-05  CO2, temperature, humidity words (big-endian), as read_measurement returns them
 * 10-15  serial number words
 * 20     data ready (non-zero = a new measurement is waiting)
 * 21     fault flags: bit 0 corrupts the CRC of the CO2 word of read_measurement, bit 2 NACKs everything
 * </pre>
 *
 * Like the real sensor, it refuses get_serial_number while periodic measurement runs, and a read
 * with no answer pending is NACKed.
 */
final class Scd4xModel implements I2cModel {
  private boolean periodic;
  private int[] pending;
  private boolean pendingIsMeasurement;

  @Override
  public synchronized void onWrite(I2cModel.Registers chip, byte[] data) throws IOException {
    fault(chip);
    int cmd = (data[0] & 0xFF) << 8 | (data[1] & 0xFF);
    pendingIsMeasurement = cmd == Scd4xSensor.READ_MEASUREMENT;
    switch (cmd) {
      case Scd4xSensor.START_PERIODIC -> periodic = true;
      case Scd4xSensor.STOP_PERIODIC -> periodic = false;
      case Scd4xSensor.SERIAL_NUMBER -> {
        if (periodic) {
          throw new IOException(
              "NACK: get_serial_number is not allowed during periodic measurement");
        }
        pending = new int[] {chip.getU16be(0x10), chip.getU16be(0x12), chip.getU16be(0x14)};
      }
      case Scd4xSensor.DATA_READY -> pending = new int[] {chip.get(0x20) != 0 ? 0x8006 : 0x8000};
      case Scd4xSensor.READ_MEASUREMENT -> {
        pending = new int[] {chip.getU16be(0), chip.getU16be(2), chip.getU16be(4)};
        chip.set(0x20, 0);
      }
      case Scd4xSensor.MEASURE_SINGLE_SHOT -> {
        if (periodic) {
          throw new IOException(
              "NACK: measure_single_shot is not allowed during periodic measurement");
        }
        chip.set(0x20, 1);
      }
      default ->
          throw new IOException(String.format(Locale.ROOT, "NACK: unknown command 0x%04X", cmd));
    }
  }

  @Override
  public synchronized void onRead(I2cModel.Registers chip, byte[] buffer) throws IOException {
    fault(chip);
    if (pending == null || buffer.length != pending.length * 3) {
      throw new IOException("NACK: no answer of " + buffer.length + " bytes pending");
    }
    for (int i = 0; i < pending.length; i++) {
      buffer[3 * i] = (byte) (pending[i] >> 8);
      buffer[3 * i + 1] = (byte) pending[i];
      int crc = Scd4xSensor.crc8(pending[i] >> 8, pending[i]);
      buffer[3 * i + 2] =
          (byte) (i == 0 && pendingIsMeasurement && (chip.get(0x21) & 1) != 0 ? crc ^ 0xFF : crc);
    }
    pending = null;
  }

  synchronized boolean periodic() {
    return periodic;
  }

  private static void fault(I2cModel.Registers chip) throws IOException {
    if ((chip.get(0x21) & 4) != 0) {
      throw new IOException("I2C transaction was not acknowledged (NACK)");
    }
  }
}
