package io.parikshan.proxy;

import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelityLedger;
import io.parikshan.proxy.metrics.CloneMetrics;
import io.parikshan.proxy.metrics.DuplicatorMetrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.concurrent.atomic.LongAdder;

/**
 * A clone as the running proxy sees it: its target, its counters and the connections that feed
 * it right now. Connections register themselves here so that the lag can be read at scrape
 * time and so that removing the clone closes them.
 *
 * <p>A route can be made for a clone that is still being made ({@link #pending}): connections
 * opened meanwhile hold their bytes for it, within the budgets, until {@link #start} gives its
 * address; so a clone restored from a checkpoint also gets the connections opened after the
 * checkpoint, and starts in step with production.
 *
 * <p>Those connections are replayed to the clone in the order they were opened, each once the one
 * before has caught up ({@link #whenRunningInTurn}): a client that stored a key and then read it on
 * a second connection did so one after the other, and replayed side by side the read could reach
 * the clone first and find nothing. Connections opened while the replay runs wait their turn too.
 */
public final class CloneRoute implements DuplicatorMetrics.LagView {

    private final String name;
    /** Completed with the clone's address once it runs; never completed if it is retired first. */
    private final CompletableFuture<CloneTarget> target = new CompletableFuture<>();
    private final CloneMetrics metrics;
    private final FidelityLedger fidelity;
    private final LongAdder lagBytes = new LongAdder();
    private final AnswerOrder order = new AnswerOrder();
    private final Set<CloneConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean retired;
    /** Connections waiting for the clone, in the order they opened (guarded by this). */
    private final ArrayDeque<Function<CloneTarget, CompletionStage<?>>> waiting = new ArrayDeque<>();
    /** The clone's address while the waiting connections are replayed to it (written under this). */
    private volatile CloneTarget replayingTo;
    /** Past this, what still waits is replayed side by side: a long replay must not hold memory for ever. */
    static final long REPLAY_IN_TURN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private long replayStartedNanos;

    public CloneRoute(CloneTarget target, CloneMetrics metrics) {
        this(target, metrics, new FidelityLedger(target.name(), CompareMode.OFF, 0, null));
    }

    public CloneRoute(CloneTarget target, CloneMetrics metrics, FidelityLedger fidelity) {
        this(Objects.requireNonNull(target, "target").name(), metrics, fidelity);
        this.target.complete(target);
    }

    private CloneRoute(String name, CloneMetrics metrics, FidelityLedger fidelity) {
        this.name = Objects.requireNonNull(name, "clone name");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.fidelity = Objects.requireNonNull(fidelity, "fidelity");
    }

    /** A route for a clone still being made: its connections wait for {@link #start}. */
    public static CloneRoute pending(String name, CloneMetrics metrics, FidelityLedger fidelity) {
        return new CloneRoute(name, metrics, fidelity);
    }

    /** The clone now runs at {@code running}'s address: the connections waiting for it connect, in turn. */
    void start(CloneTarget running) {
        if (!running.name().equals(name)) {
            throw new IllegalArgumentException("clone '" + running.name() + "' cannot start the route held for '" + name + "'");
        }
        synchronized (this) {
            if (target.isDone() || replayingTo != null) {
                throw new IllegalStateException("clone '" + name + "' has already started or was removed");
            }
            replayingTo = running;
            replayStartedNanos = System.nanoTime();
        }
        replayNext();
    }

    /** Replays the next waiting connection, or, none left, lets every later one connect at once. */
    private void replayNext() {
        Function<CloneTarget, CompletionStage<?>> next;
        CloneTarget to;
        synchronized (this) {
            to = replayingTo;
            if (to == null || retired) {
                return;
            }
            next = waiting.poll();
            if (next == null) {
                target.complete(to); // from now on connections connect as they open
                return;
            }
            if (System.nanoTime() - replayStartedNanos > REPLAY_IN_TURN_NANOS) {
                // too long in turn: the rest side by side, and the clone runs for everyone
                List<Function<CloneTarget, CompletionStage<?>>> rest = new ArrayList<>(waiting);
                waiting.clear();
                target.complete(to);
                next.apply(to);
                rest.forEach(r -> r.apply(to));
                return;
            }
        }
        CompletionStage<?> caughtUp;
        try {
            caughtUp = next.apply(to);
        } catch (RuntimeException e) {
            caughtUp = CompletableFuture.completedFuture(null); // that connection is lost; the others go on
        }
        caughtUp.whenComplete((done, failed) -> replayNext());
    }

    /** True while the clone is still being made, or the connections held for it are being replayed. */
    public boolean isPending() {
        return !target.isDone();
    }

    /**
     * Runs {@code action} with the clone's target once it runs: at once (in this thread) if it
     * runs already, else in the thread that starts it. Never runs if the clone is removed first.
     */
    public void whenRunning(Consumer<CloneTarget> action) {
        target.thenAccept(action);
    }

    /**
     * Runs {@code replay} with the clone's target in its turn: after every connection that waited
     * before it has caught up (the stage {@code replay} returns completes, e.g. once the clone
     * answered what it held); at once if the clone runs and nothing waits. Never runs if the clone
     * is removed first.
     */
    public void whenRunningInTurn(Function<CloneTarget, CompletionStage<?>> replay) {
        synchronized (this) {
            if (!target.isDone()) {
                if (!retired) {
                    waiting.add(replay);
                }
                return;
            }
        }
        if (!target.isCancelled()) {
            replay.apply(target.join());
        }
    }

    /** How faithfully this clone follows production (counts restart when the clone is replaced). */
    public FidelityLedger fidelity() {
        return fidelity;
    }

    @Override
    public long orderWaits() {
        return order.waited();
    }

    @Override
    public long orderExpired() {
        return order.expired();
    }

    @Override
    public double divergenceRatio() {
        return fidelity.divergenceRatio();
    }

    /** The clone's name and address (also while held connections are replayed to it); null while it is being made. */
    public CloneTarget target() {
        // no lock: read for every connection a client opens, on production's path
        return target.getNow(replayingTo);
    }

    /** The order across connections in which this clone must see requests. */
    public AnswerOrder order() {
        return order;
    }

    public CloneMetrics metrics() {
        return metrics;
    }

    @Override
    public String cloneName() {
        return name;
    }

    /** Adds to (or, negative, takes from) the bytes held for this clone. */
    public void addLag(long bytes) {
        lagBytes.add(bytes);
    }

    @Override
    public long lagBytes() {
        return lagBytes.sum();
    }

    @Override
    public double lagSeconds() {
        long now = System.nanoTime();
        long oldest = 0;
        for (CloneConnection c : connections) {
            long t = c.oldestPendingNanos();
            if (t != 0 && (oldest == 0 || t - oldest < 0)) {
                oldest = t;
            }
        }
        return oldest == 0 ? 0.0 : Math.max(0, now - oldest) / 1e9;
    }

    /** Registers a live connection; false if the clone was removed meanwhile (the caller must not feed it). */
    public boolean attach(CloneConnection c) {
        connections.add(c);
        if (retired) {
            connections.remove(c);
            return false;
        }
        return true;
    }

    public void detach(CloneConnection c) {
        connections.remove(c);
    }

    public int connectionCount() {
        return connections.size();
    }

    public boolean isRetired() {
        return retired;
    }

    /** Stops feeding this clone: new connections skip it, current ones close their clone side. */
    void retire() {
        retired = true;
        synchronized (this) {
            waiting.clear();
        }
        target.cancel(false); // connections still waiting for a clone being made never connect
        for (CloneConnection c : connections) {
            c.retire();
        }
    }
}
