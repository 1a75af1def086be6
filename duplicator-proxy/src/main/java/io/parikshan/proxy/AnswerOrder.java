package io.parikshan.proxy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The order across connections in which one clone must see client requests. A client that
 * stored a key on one connection, got production's answer, and then read the key on a second
 * connection did the two one after the other; fed side by side, a clone slower than production
 * (just restored, cold, sharing the cores) can run the read first and answer "no such key",
 * a difference production never had.
 *
 * <p>So each answer production gives on a connection that feeds this clone gets a number
 * ({@link #number}), pending until the clone answers that turn on its connection too. A
 * connection opened after that may depend on it: its first request reaches the clone only once
 * no answer numbered up to {@link #latest()} at its arrival is pending on another connection
 * ({@link #awaitAnswered}); its own connection's order is TCP's. Each connection registers only
 * its oldest pending answer ({@link #pend}, {@link #cleared}), which stands for the younger ones
 * behind it, so what is pending is at most one entry per connection. The wait is bounded by {@link #MAX_WAIT}: an
 * answer a request waited for that long is given up (counted in {@link #expired()}), so a clone that never
 * answers one request stalls the others once, for that long, and never production, whose bytes
 * never wait for this.
 *
 * <p>Thread-safe: the connections of one clone live on different event loops.
 */
public final class AnswerOrder {

    /** Longest a request waits for the clone to answer what production answered before it. */
    public static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

    private final long maxWaitNanos;
    private final AtomicLong numbered = new AtomicLong();
    /** Each connection's oldest answer production gave that the clone has not, by number, to the connection. */
    private final ConcurrentSkipListMap<Long, Object> pending = new ConcurrentSkipListMap<>();
    /** Requests waiting, the one depending on the fewest answers first (guarded by itself). */
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(Comparator.comparingLong(Waiter::upTo));
    private final LongAdder expired = new LongAdder();
    private final LongAdder waited = new LongAdder();

    private record Waiter(long upTo, Object connection, Runnable release) {
    }

    public AnswerOrder() {
        this(MAX_WAIT_NANOS);
    }

    AnswerOrder(long maxWaitNanos) {
        this.maxWaitNanos = maxWaitNanos;
    }

    /** Production answered a turn on a connection feeding this clone: the answer's number. */
    public long number() {
        return numbered.incrementAndGet();
    }

    /** Answer {@code number} is now {@code connection}'s oldest the clone has not given. */
    public void pend(long number, Object connection) {
        pending.put(number, connection);
    }

    /**
     * The clone gave answer {@code number} (a connection's oldest pending), or never will (its
     * connection ended). A connection with younger ones pending {@link #pend}s the next first.
     */
    public void cleared(long number) {
        if (pending.remove(number) != null) {
            releaseCaughtUp();
        }
    }

    /** The number of production's latest answer: what a request arriving now may depend on. */
    public long latest() {
        return numbered.get();
    }

    /** True when no answer numbered up to {@code upTo} is pending on a connection other than {@code connection}. */
    public boolean answeredUpTo(long upTo, Object connection) {
        for (Object c : pending.headMap(upTo, true).values()) {
            if (c != connection) {
                return false;
            }
        }
        return true; // nothing, or only the connection's own (one entry at most)
    }

    /**
     * Runs {@code release} once no answer numbered up to {@code upTo} is pending on another
     * connection than {@code connection}, in the thread
     * that clears the last of them (or at once, in this thread, returning false, if none is).
     * The caller bounds the wait: after {@link #maxWaitNanos()} it calls {@link #giveUpOn}.
     *
     * @return true if the caller must wait for {@code release}
     */
    public boolean awaitAnswered(long upTo, Object connection, Runnable release) {
        synchronized (waiters) {
            if (!answeredUpTo(upTo, connection)) {
                waiters.add(new Waiter(upTo, connection, release));
                waited.increment();
                return true;
            }
        }
        release.run();
        return false;
    }

    /**
     * A request that depends on the answers numbered up to {@code upTo} waited
     * {@link #maxWaitNanos()} for them: gives up on those still pending (the clone may never give
     * them), which releases it and every request that waited only for those. The connections
     * whose answers are given up on find them gone when they clear them.
     */
    public void giveUpOn(long upTo, Object connection) {
        boolean any = false;
        for (var e : pending.headMap(upTo, true).entrySet()) {
            if (e.getValue() != connection && pending.remove(e.getKey(), e.getValue())) { // not cleared meanwhile
                any = true;
                expired.increment();
            }
        }
        if (any) {
            releaseCaughtUp();
        }
    }

    private void releaseCaughtUp() {
        List<Runnable> released = null;
        synchronized (waiters) {
            if (waiters.isEmpty()) {
                return;
            }
            // the fewest dependencies first; one behind a waiter still blocked waits a little longer
            while (!waiters.isEmpty() && answeredUpTo(waiters.peek().upTo(), waiters.peek().connection())) {
                if (released == null) {
                    released = new ArrayList<>();
                }
                released.add(waiters.poll().release());
            }
        }
        if (released != null) {
            released.forEach(Runnable::run);
        }
    }

    public long maxWaitNanos() {
        return maxWaitNanos;
    }

    /** Answers of production's the clone was not seen to give within the wait, so later requests went on without them. */
    public long expired() {
        return expired.sum();
    }

    /** Requests that had to wait for the clone to catch up before they were sent to it. */
    public long waited() {
        return waited.sum();
    }

    /** Answers still pending (for tests and status). */
    public int pendingCount() {
        return pending.size();
    }
}
