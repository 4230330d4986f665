package io.outpost.agent.uplink;

import io.outpost.agent.outbox.Row;
import io.outpost.realtime.ReplayEnvelopeBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Stored messages of the events channel packed into one replay envelope (architecture.md §5): the
 * rows it holds, for the acks, and the realtime client's {@link ReplayEnvelopeBuilder}, which
 * splices their stored JSON text in unchanged and checks each one (one JSON object, within the
 * server's {@code maxMessageSize}).
 */
final class ReplayPack {
  private final ReplayEnvelopeBuilder envelope;
  private final List<Row> rows = new ArrayList<>();

  /**
   * @param maxMessageSize the server's cap for a whole frame, from its welcome
   */
  ReplayPack(String device, String stream, String channel, int maxMessageSize) {
    this.envelope = new ReplayEnvelopeBuilder(device, stream, channel, maxMessageSize);
  }

  /**
   * Adds {@code row} if its body is one JSON object and the envelope still fits with it.
   *
   * @return {@code YES}; {@code FULL} when it does not fit (the pack is then complete); {@code
   *     NOT_AN_OBJECT} when it can only go alone
   */
  ReplayEnvelopeBuilder.Added add(Row row) {
    ReplayEnvelopeBuilder.Added added = envelope.add(row.body());
    if (added == ReplayEnvelopeBuilder.Added.YES) {
      rows.add(row);
    }
    return added;
  }

  List<Row> rows() {
    return rows;
  }

  /** The envelope's JSON text. */
  String text() {
    return envelope.build();
  }
}
