package io.parikshan.proxy;

import io.parikshan.proxy.fidelity.FidelityConfig;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a duplicator run needs. Immutable; validated on construction.
 *
 * @param listen           the client-facing address the proxy binds
 * @param production       the production service
 * @param clones           the clones fed at start (more can be added at run time)
 * @param strategy         how clones are kept in step with production
 * @param sampleRate       fraction (0..1] of client connections that are duplicated, decided per connection
 * @param connectionBudget most bytes one connection may hold for one clone before that clone connection is dropped
 * @param globalBudget     most bytes all clone buffers together may hold
 * @param cloneDrainTimeout how long a clone connection may keep draining after its client went away, and (synchronized
 *                          strategy) how long production waits for a clone to take a chunk before that clone is dropped
 * @param fidelity         whether and how clone answers are compared with production's (TCP only)
 */
public record DuplicatorConfig(HostPort listen,
                               HostPort production,
                               List<CloneTarget> clones,
                               DuplicationStrategy strategy,
                               double sampleRate,
                               ByteSize connectionBudget,
                               ByteSize globalBudget,
                               Duration cloneDrainTimeout,
                               FidelityConfig fidelity) {

    public static final ByteSize DEFAULT_CONNECTION_BUDGET = ByteSize.ofMebibytes(4);
    public static final ByteSize DEFAULT_GLOBAL_BUDGET = ByteSize.ofMebibytes(256);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public DuplicatorConfig {
        Objects.requireNonNull(listen, "listen address");
        Objects.requireNonNull(production, "production address");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(connectionBudget, "connection budget");
        Objects.requireNonNull(globalBudget, "global budget");
        Objects.requireNonNull(cloneDrainTimeout, "clone drain timeout");
        Objects.requireNonNull(fidelity, "fidelity");
        clones = List.copyOf(Objects.requireNonNull(clones, "clones"));
        Set<String> names = new HashSet<>();
        for (CloneTarget c : clones) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("clone name '" + c.name() + "' is used twice; give each clone its own NAME=HOST:PORT");
            }
        }
        if (!(sampleRate > 0.0 && sampleRate <= 1.0)) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " must be in (0, 1], e.g. 0.25 to duplicate a quarter of the connections");
        }
        if (connectionBudget.bytes() > globalBudget.bytes()) {
            throw new IllegalArgumentException("connection budget " + connectionBudget + " exceeds global budget " + globalBudget + "; lower it or raise the global budget");
        }
        if (cloneDrainTimeout.isNegative()) {
            throw new IllegalArgumentException("clone drain timeout " + cloneDrainTimeout + " must not be negative");
        }
    }

    /** A config that does not compare answers ({@link FidelityConfig#OFF}). */
    public DuplicatorConfig(HostPort listen, HostPort production, List<CloneTarget> clones, DuplicationStrategy strategy,
                            double sampleRate, ByteSize connectionBudget, ByteSize globalBudget, Duration cloneDrainTimeout) {
        this(listen, production, clones, strategy, sampleRate, connectionBudget, globalBudget, cloneDrainTimeout, FidelityConfig.OFF);
    }

    /** A config with the defaults: asynchronous, every connection, 4 MiB per connection, 256 MiB in all. */
    public static DuplicatorConfig of(HostPort listen, HostPort production, List<CloneTarget> clones) {
        return new DuplicatorConfig(listen, production, clones, DuplicationStrategy.ASYNC, 1.0,
                DEFAULT_CONNECTION_BUDGET, DEFAULT_GLOBAL_BUDGET, DEFAULT_DRAIN_TIMEOUT);
    }

    public DuplicatorConfig withStrategy(DuplicationStrategy s) {
        return new DuplicatorConfig(listen, production, clones, s, sampleRate, connectionBudget, globalBudget, cloneDrainTimeout, fidelity);
    }

    public DuplicatorConfig withSampleRate(double rate) {
        return new DuplicatorConfig(listen, production, clones, strategy, rate, connectionBudget, globalBudget, cloneDrainTimeout, fidelity);
    }

    public DuplicatorConfig withBudgets(ByteSize perConnection, ByteSize global) {
        return new DuplicatorConfig(listen, production, clones, strategy, sampleRate, perConnection, global, cloneDrainTimeout, fidelity);
    }

    /** This config comparing clone answers as {@code f} says. */
    public DuplicatorConfig withFidelity(FidelityConfig f) {
        return new DuplicatorConfig(listen, production, clones, strategy, sampleRate, connectionBudget, globalBudget, cloneDrainTimeout, f);
    }

    public DuplicatorConfig withCloneDrainTimeout(Duration timeout) {
        return new DuplicatorConfig(listen, production, clones, strategy, sampleRate, connectionBudget, globalBudget, timeout, fidelity);
    }
}
