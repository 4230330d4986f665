/**
 * A Java client for the Metered Realtime Messaging wire protocol. Start with {@link
 * io.outpost.realtime.RealtimeClient#create(RealtimeConfig, RealtimeListener)}; configuration is
 * {@link io.outpost.realtime.RealtimeConfig}, events arrive at a {@link
 * io.outpost.realtime.RealtimeListener} on the client's single event thread, and every failure is a
 * {@link io.outpost.realtime.RealtimeException}. {@code io.outpost.realtime.internal} is the
 * implementation, not API.
 */
package io.outpost.realtime;
