package io.outpost.agent.profiles;

import io.outpost.plugin.Options;
import java.time.Duration;

/**
 * One sensor of the profile as the agent schedules it (the keys the agent handles itself); the
 * remaining keys are the driver's {@code options}.
 *
 * @param interval how often it is read (fixed rate)
 * @param deadband absolute change needed to report a number
 * @param deadbandPercent relative change in percent of the last reported value, NaN when absolute
 * @param minInterval least time between two reports of one record (0 = none)
 * @param maxInterval report at least this often even without change (0 = never)
 * @param readTimeout how long one {@code read()} may take before it counts as failed
 * @param location for messages, e.g. {@code simulated.json: sensors[0] ("ctr", sim.counter)}
 */
public record SensorSpec(
    String name,
    String type,
    Duration interval,
    double deadband,
    double deadbandPercent,
    Duration minInterval,
    Duration maxInterval,
    Duration readTimeout,
    Options options,
    Options simulate,
    String location) {}
