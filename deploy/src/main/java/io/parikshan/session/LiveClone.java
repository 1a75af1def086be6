package io.parikshan.session;

import io.parikshan.clone.CloneReport;
import io.parikshan.proxy.CloneTarget;

import java.time.Duration;

/** A clone the session feeds in one of its slots, with what the re-sync checks need to know of it. */
final class LiveClone {

    private final int slot;
    private final CloneReport report;
    private final CloneTarget target;
    private final long madeNanos;
    private final long pid;
    private final long desyncedAtStart;
    private volatile boolean probesLoaded;
    private volatile boolean resyncPending;
    private volatile long lastFailedResyncNanos;
    private volatile ProbeCounts lastProbes = ProbeCounts.NONE;
    /** The clone that took this one's place in its slot (re-sync); null while this one is fed. */
    private volatile LiveClone replacedBy;

    LiveClone(int slot, CloneReport report, CloneTarget target, long madeNanos, long pid, long desyncedAtStart) {
        this.slot = slot;
        this.report = report;
        this.target = target;
        this.madeNanos = madeNanos;
        this.pid = pid;
        this.desyncedAtStart = desyncedAtStart;
    }

    int slot() {
        return slot;
    }

    String name() {
        return report.cloneName();
    }

    CloneReport report() {
        return report;
    }

    CloneTarget target() {
        return target;
    }

    /** The clone's main process on the host (its files are under /proc/pid/root). */
    long pid() {
        return pid;
    }

    /** The proxy's desynced count for this clone's name when it joined (0 for a new name). */
    long desyncedAtStart() {
        return desyncedAtStart;
    }

    Duration age() {
        return Duration.ofNanos(System.nanoTime() - madeNanos);
    }

    boolean probesLoaded() {
        return probesLoaded;
    }

    void probesLoaded(boolean loaded) {
        probesLoaded = loaded;
    }

    boolean resyncPending() {
        return resyncPending;
    }

    void resyncPending(boolean pending) {
        resyncPending = pending;
    }

    long lastFailedResyncNanos() {
        return lastFailedResyncNanos;
    }

    void lastFailedResyncNanos(long nanos) {
        lastFailedResyncNanos = nanos;
    }

    /** The last probe counts read from the clone (kept when it can no longer be read). */
    ProbeCounts lastProbes() {
        return lastProbes;
    }

    void lastProbes(ProbeCounts counts) {
        lastProbes = counts;
    }

    void replacedBy(LiveClone fresh) {
        replacedBy = fresh;
    }

    /** This clone, or the one that holds its place now when it was replaced (once or more). */
    LiveClone latest() {
        LiveClone c = this;
        while (c.replacedBy != null) {
            c = c.replacedBy;
        }
        return c;
    }
}
