package io.outpost.plugin;

import java.time.Instant;
import java.util.Objects;

/**
 * One measured value: a SenML record (RFC 8428) as a sensor produces it.
 *
 * <p>{@code quantity} is the part after the sensor's name: a sensor named {@code env} that returns
 * {@code Reading.number("temperature", "Cel", 21.4, t)} is published as record {@code
 * env/temperature}. Exactly one of {@code value}, {@code boolValue}, {@code stringValue} is set.
 * Units are SenML unit symbols ({@code Cel}, {@code Pa}, {@code %RH}, {@code lx}, {@code V}, {@code
 * /}, …); {@code null} when the quantity has none. {@code time} is when the value was measured.
 */
public record Reading(
    String quantity,
    String unit,
    Double value,
    Boolean boolValue,
    String stringValue,
    Instant time) {

  public Reading {
    Objects.requireNonNull(quantity, "quantity == null");
    Objects.requireNonNull(time, "time == null");
    if (quantity.isEmpty()) {
      throw new IllegalArgumentException("quantity is empty");
    }
    int set = (value != null ? 1 : 0) + (boolValue != null ? 1 : 0) + (stringValue != null ? 1 : 0);
    if (set != 1) {
      throw new IllegalArgumentException(
          "exactly one of value, boolValue, stringValue must be set, got " + set);
    }
    if (value != null && (value.isNaN() || value.isInfinite())) {
      throw new IllegalArgumentException(quantity + ": value " + value + " is not a finite number");
    }
  }

  public static Reading number(String quantity, String unit, double value, Instant time) {
    return new Reading(quantity, unit, value, null, null, time);
  }

  public static Reading bool(String quantity, boolean value, Instant time) {
    return new Reading(quantity, null, null, value, null, time);
  }

  public static Reading text(String quantity, String value, Instant time) {
    return new Reading(
        quantity, null, null, null, Objects.requireNonNull(value, "value == null"), time);
  }

  public boolean isNumber() {
    return value != null;
  }
}
