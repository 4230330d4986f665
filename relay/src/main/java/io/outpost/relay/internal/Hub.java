package io.outpost.relay.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Who is connected and subscribed where; routes messages and produces presence (protocol.md
 * sections 2, 3, 7, 8 and R). Thread-safe: membership changes (connect, subscribe, unsubscribe,
 * disconnect) are serialized on one lock so presence frames go out in a consistent order;
 * publishing reads concurrent maps without that lock.
 */
public final class Hub {
  /** Most subscriptions one connection may hold. */
  public static final int MAX_SUBSCRIPTIONS = 100;

  private final Object membership = new Object();
  private final Set<Connection> all = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<Connection>> byPeer = new ConcurrentHashMap<>();
  private final Map<String, ChannelState> channels = new ConcurrentHashMap<>();

  /** Subscriptions that are globs (or contain escapes); matched against every published channel. */
  private volatile ChannelState[] wildcards = new ChannelState[0];

  /** Sees every channel publish before fan-out (the dashboard's recent window); may be null. */
  private volatile BiConsumer<String, JsonElement> publishTap;

  private final AtomicInteger peakConcurrent = new AtomicInteger();
  private final AtomicLong messagesUsed = new AtomicLong();

  /** One subscription string: its subscribers and, for presence, the peers among them. */
  private static final class ChannelState {
    final String name;
    final ChannelPattern pattern;
    final boolean exact;
    final Map<Connection, Boolean> subscribers = new ConcurrentHashMap<>();

    /** peerId → live subscribed connections of that peer; guarded by the membership lock. */
    final Map<String, List<Connection>> peers = new LinkedHashMap<>();

    ChannelState(String name) {
      this.name = name;
      this.pattern = ChannelPattern.compile(name);
      this.exact = !pattern.hasWildcard() && name.indexOf('\\') < 0;
    }
  }

  /** Registers a freshly admitted connection. */
  public void add(Connection c) {
    synchronized (membership) {
      all.add(c);
      byPeer.computeIfAbsent(c.peerId(), k -> ConcurrentHashMap.newKeySet()).add(c);
      peakConcurrent.accumulateAndGet(all.size(), Math::max);
    }
  }

  /**
   * Forgets a closed connection; the others get {@code left} where it was the peer's last
   * connection.
   */
  public void remove(Connection c) {
    synchronized (membership) {
      if (!all.remove(c)) {
        return;
      }
      for (String channel : List.copyOf(c.subscriptions().keySet())) {
        unsubscribeLocked(c, channel);
      }
      Set<Connection> mine = byPeer.get(c.peerId());
      if (mine != null) {
        mine.remove(c);
        if (mine.isEmpty()) {
          byPeer.remove(c.peerId());
        }
      }
    }
  }

  /**
   * Whether the connection may add one more subscription (re-subscribing an existing one is always
   * allowed).
   */
  public boolean hasRoomFor(Connection c, String channel) {
    return c.subscriptions().containsKey(channel) || c.subscriptions().size() < MAX_SUBSCRIPTIONS;
  }

  /**
   * Subscribes (idempotently; the last {@code includeSenderMetadata} wins), then sends {@code ack},
   * the presence snapshot to {@code c}, and a {@code joined} delta to the other subscribers when
   * this is the peer's first connection on the channel. Callers have already validated and
   * authorized the channel.
   */
  public void subscribe(
      Connection c, String channel, boolean includeSenderMetadata, String requestId) {
    synchronized (membership) {
      ChannelState state = channels.computeIfAbsent(channel, ChannelState::new);
      boolean fresh = c.subscriptions().put(channel, includeSenderMetadata) == null;
      state.subscribers.put(c, includeSenderMetadata);
      if (!state.exact && fresh && state.subscribers.size() == 1) {
        addWildcard(state);
      }
      if (requestId != null) {
        c.send(Frames.ack(requestId));
      }
      boolean firstOfPeer = false;
      if (fresh) {
        List<Connection> conns = state.peers.computeIfAbsent(c.peerId(), k -> new ArrayList<>(1));
        firstOfPeer = conns.isEmpty();
        conns.add(c);
      }
      if (c.credential().can("presence")) {
        Map<String, JsonObject> snapshot = new LinkedHashMap<>();
        for (Map.Entry<String, List<Connection>> e : state.peers.entrySet()) {
          if (!e.getKey().equals(c.peerId())) {
            snapshot.put(e.getKey(), e.getValue().get(0).credential().peerMetadata());
          }
        }
        c.send(Frames.presence(channel, snapshot, List.of()));
      }
      if (firstOfPeer) {
        Map<String, JsonObject> joined = new LinkedHashMap<>();
        joined.put(c.peerId(), c.credential().peerMetadata());
        String frame = Frames.presence(channel, joined, List.of());
        byte[] encoded = TextFrame.encode(frame); // once for all recipients
        for (Connection other : state.subscribers.keySet()) {
          if (other != c
              && !other.peerId().equals(c.peerId())
              && other.credential().can("presence")) {
            other.send(frame, encoded);
          }
        }
      }
    }
  }

  /**
   * Unsubscribes (idempotent); the others get {@code left} when this was the peer's last connection
   * there.
   */
  public void unsubscribe(Connection c, String channel) {
    synchronized (membership) {
      unsubscribeLocked(c, channel);
    }
  }

  private void unsubscribeLocked(Connection c, String channel) {
    if (c.subscriptions().remove(channel) == null) {
      return;
    }
    ChannelState state = channels.get(channel);
    if (state == null) {
      return;
    }
    state.subscribers.remove(c);
    List<Connection> conns = state.peers.get(c.peerId());
    if (conns != null) {
      conns.remove(c);
      if (conns.isEmpty()) {
        state.peers.remove(c.peerId());
        String frame = Frames.presence(channel, Map.of(), List.of(c.peerId()));
        byte[] encoded = TextFrame.encode(frame); // once for all recipients
        for (Connection other : state.subscribers.keySet()) {
          if (other.credential().can("presence")) {
            other.send(frame, encoded);
          }
        }
      }
    }
    if (state.subscribers.isEmpty()) {
      channels.remove(channel);
      if (!state.exact) {
        removeWildcard(state);
      }
    }
  }

  private void addWildcard(ChannelState state) {
    ChannelState[] old = wildcards;
    ChannelState[] next = java.util.Arrays.copyOf(old, old.length + 1);
    next[old.length] = state;
    wildcards = next;
  }

  private void removeWildcard(ChannelState state) {
    wildcards =
        java.util.Arrays.stream(wildcards).filter(s -> s != state).toArray(ChannelState[]::new);
  }

  /**
   * Delivers a channel message to every subscriber socket except {@code sender} (null for REST
   * publishes), once per socket even when several of its subscriptions match. {@code fromMetadata}
   * goes only to sockets whose matching subscription asked for it.
   *
   * @return sockets reached
   */
  public int publish(
      Connection sender, String channel, String from, JsonObject fromMetadata, JsonElement data) {
    BiConsumer<String, JsonElement> tap = publishTap;
    if (tap != null) {
      tap.accept(channel, data);
    }
    ChannelState exact = channels.get(channel);
    if (exact != null && !exact.exact) {
      exact = null;
    }
    ChannelState[] globs = wildcards;
    Map<Connection, Boolean> targets;
    if (globs.length == 0) {
      if (exact == null) {
        return 0;
      }
      targets = exact.subscribers;
    } else {
      targets = new HashMap<>();
      if (exact != null) {
        targets.putAll(exact.subscribers);
      }
      for (ChannelState glob : globs) {
        if (glob.pattern.matches(channel)) {
          for (Map.Entry<Connection, Boolean> e : glob.subscribers.entrySet()) {
            // A glob subscription only ever yields channels the subscriber itself could use.
            if (e.getKey().credential().allows(channel)) {
              targets.merge(e.getKey(), e.getValue(), Boolean::logicalOr);
            }
          }
        }
      }
    }
    // Each variant of the frame is serialized and encoded (UTF-8 + WebSocket header) at most once
    // per publish; all
    // its recipients share the same bytes.
    String plain = null;
    byte[] plainFrame = null;
    String withMetadata = null;
    byte[] withMetadataFrame = null;
    int delivered = 0;
    for (Map.Entry<Connection, Boolean> e : targets.entrySet()) {
      Connection target = e.getKey();
      if (target == sender) {
        continue;
      }
      if (e.getValue() && fromMetadata != null) {
        if (withMetadata == null) {
          withMetadata = Frames.message(channel, from, fromMetadata, data);
          withMetadataFrame = TextFrame.encode(withMetadata);
        }
        target.send(withMetadata, withMetadataFrame);
      } else {
        if (plain == null) {
          plain = Frames.message(channel, from, null, data);
          plainFrame = TextFrame.encode(plain);
        }
        target.send(plain, plainFrame);
      }
      delivered++;
    }
    return delivered;
  }

  /**
   * Delivers a {@code direct} frame to every socket of peer {@code to} except the sender's own
   * socket.
   *
   * @return sockets reached (0 = peer not online)
   */
  public int direct(Connection sender, String to, JsonElement data) {
    Set<Connection> targets = byPeer.get(to);
    if (targets == null) {
      return 0;
    }
    String frame = Frames.direct(sender.peerId(), sender.credential().peerMetadata(), data);
    byte[] encoded = TextFrame.encode(frame);
    int delivered = 0;
    for (Connection target : targets) {
      if (target != sender && !target.isClosing()) {
        target.send(frame, encoded);
        delivered++;
      }
    }
    return delivered;
  }

  /** Installs the one observer of channel publishes (null removes it). */
  public void setPublishTap(BiConsumer<String, JsonElement> tap) {
    this.publishTap = tap;
  }

  /** Concrete (non-glob) channel names that have at least one subscriber right now. */
  public List<String> exactChannels() {
    List<String> out = new ArrayList<>();
    channels.forEach(
        (name, state) -> {
          if (state.exact && !state.subscribers.isEmpty()) {
            out.add(name);
          }
        });
    Collections.sort(out);
    return out;
  }

  /** Peers subscribed to exactly this channel string, with their peerMetadata (null = none). */
  public Map<String, JsonObject> peers(String channel) {
    synchronized (membership) {
      ChannelState state = channels.get(channel);
      Map<String, JsonObject> out = new LinkedHashMap<>();
      if (state != null) {
        state.peers.forEach(
            (peerId, conns) -> out.put(peerId, conns.get(0).credential().peerMetadata()));
      }
      return out;
    }
  }

  /** Live connections of {@code peerId} (a copy). */
  public List<Connection> connectionsOf(String peerId) {
    Set<Connection> set = byPeer.get(peerId);
    return set == null ? List.of() : List.copyOf(set);
  }

  /** All live connections (a copy). */
  public List<Connection> connections() {
    return List.copyOf(all);
  }

  /** peerIds with at least one live connection (a copy). */
  public Set<String> peerIds() {
    return Set.copyOf(byPeer.keySet());
  }

  public int concurrentNow() {
    return all.size();
  }

  public int peakConcurrent() {
    return peakConcurrent.get();
  }

  /** Counts one publish or send attempt (WebSocket or REST) for {@code GET /v1/usage}. */
  public void countMessage() {
    messagesUsed.incrementAndGet();
  }

  public long messagesUsed() {
    return messagesUsed.get();
  }
}
