package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import io.parikshan.proxy.AnswerOrder;
import io.parikshan.proxy.CloneConnection;
import io.parikshan.proxy.CloneRoute;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.fidelity.DropReason;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection's stream to one clone. Holds the client's bytes (retained duplicates of
 * what production got) until the clone's socket took them, within a per-connection budget and
 * the proxy-wide {@link BufferBudget}. Anything it cannot deliver whole it drops whole: it
 * closes the clone connection and counts it as desynced, so the clone sees a shorter stream,
 * never one with a hole.
 *
 * <p>A connection's first request reaches the clone after the clone answered what production had
 * answered on other connections before it came ({@link AnswerOrder}): a client that stored a key,
 * got its answer, and read the key on a new connection finds it in the clone too. Turns (the
 * client's bytes after an answer) are counted on every connection, as what later connections
 * wait for; the clone's are counted coarsely: any answer bytes count as answering every turn
 * sent before them.
 *
 * <p>Confined to the client's event loop, except {@link #retire()} and
 * {@link #oldestPendingNanos()}.
 */
final class CloneFeed implements CloneConnection {

    private enum State { CONNECTING, OPEN, CLOSED }

    /**
     * Most bytes a clone socket may hold that it has not sent yet ({@code TCP_NOTSENT_LOWAT}).
     * Bytes in the socket count as taken by the clone, outside the budgets, and left to itself
     * Linux lets a loopback socket queue megabytes for a clone that reads slowly: a thousand slow
     * clone connections then hold gigabytes of the host's TCP memory, the memory production's
     * sockets need, and the budgets never see the clone fall behind. With the unsent part capped,
     * a lagging clone's bytes wait in the budgeted queue and the clone is dropped when they exceed
     * it, while a clone that keeps up still streams at full speed (what is in flight is not capped).
     * 128 KiB slowed a clone echoing a 24 MiB upload enough to miss DuplicatorIT's deadline.
     */
    static final int CLONE_UNSENT_BYTES = 512 * 1024;

    /** Bytes of one chunk, when it arrived, and who waits for the clone to take it (sync strategy). */
    private record Chunk(int bytes, long arrivedNanos, Runnable onTaken) {
    }

    private final Channel client;
    private final CloneRoute route;
    private final BufferBudget globalBudget;
    private final long connectionBudget;
    private final Duration drainTimeout;
    private final ChannelFutureListener written = this::onWritten;
    /** Chunks not yet taken by the clone's socket, oldest first; mirrors {@link #held} then in-flight writes. */
    private final ArrayDeque<Chunk> unsent = new ArrayDeque<>();
    /** Chunks not written yet: the clone is being made or connected, or a turn waits for its answers. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();

    /** A chunk not written yet; {@code dependsOn} is the answer it waits for (when it starts a turn), else -1. */
    private record Held(ByteBuf chunk, boolean startsTurn, long dependsOn) {
    }

    /** Production's answer {@code number} to the client's turn {@code turn}, not yet seen from the clone. */
    private record PendingAnswer(long number, long turn) {
    }

    private final AnswerOrder order;
    private final ArrayDeque<PendingAnswer> pendingAnswers = new ArrayDeque<>();
    /** Client turns offered, and written to the clone; the turn the clone last answered (-1: none yet). */
    private long turnsOffered;
    private long turnsSent;
    private long turnsAnswered = -1;
    /** Production answered since the client's last chunk: the next chunk starts a turn. */
    private boolean answeredSinceOffer;
    /** The head of {@link #held} waits for the clone's answers; the wait's number, to tell stale releases. */
    private boolean waitingForOrder;
    private long orderWait;

    private Channel clone;
    private State state = State.CONNECTING;
    /** The clone is still being made (no address yet): bytes are held, production never waits for them. */
    private boolean waitingForClone;
    private long unsentBytes;
    private volatile long oldestPendingNanos;
    private boolean abandoned;
    private boolean retired;
    private boolean halfClosePending;
    private boolean closePending;
    private boolean draining;
    private ScheduledFuture<?> drainDeadline;
    /** The connection's comparison of this clone's answers, or null when answers are thrown away. */
    private final CloneAnswerSink comparison;

    private CloneFeed(Channel client, CloneRoute route, BufferBudget globalBudget, long connectionBudget, Duration drainTimeout,
                      CloneAnswerSink comparison) {
        this.client = client;
        this.comparison = comparison;
        this.route = route;
        this.globalBudget = globalBudget;
        this.connectionBudget = connectionBudget;
        this.drainTimeout = drainTimeout;
        this.order = route.order();
    }

    /**
     * Opens the clone side of a client connection that production just accepted.
     *
     * @return the feed, or null if the clone was removed meanwhile
     */
    static CloneFeed open(Channel client, CloneRoute route, Connector connector, BufferBudget globalBudget,
                          long connectionBudget, Duration drainTimeout) {
        return open(client, route, connector, globalBudget, connectionBudget, drainTimeout, null);
    }

    /**
     * As above; the clone's answers go to {@code comparison} (null: thrown away), and after the
     * client left the clone connection stays open until its answers are in (within the drain timeout).
     */
    static CloneFeed open(Channel client, CloneRoute route, Connector connector, BufferBudget globalBudget,
                          long connectionBudget, Duration drainTimeout, CloneAnswerSink comparison) {
        CloneFeed feed = new CloneFeed(client, route, globalBudget, connectionBudget, drainTimeout, comparison);
        if (!route.attach(feed)) {
            return null;
        }
        if (comparison != null) {
            comparison.attach(feed);
        }
        route.metrics().opened();
        if (route.isPending()) {
            // the clone is being made: hold the bytes until it runs, then connect from the client's loop,
            // in turn with the other held connections (see CloneRoute)
            feed.waitingForClone = true;
            route.whenRunningInTurn(t -> {
                CompletableFuture<Void> caughtUp = new CompletableFuture<>();
                client.eventLoop().execute(() -> feed.replay(connector, t.address(), caughtUp));
                return caughtUp;
            });
        } else {
            feed.connect(connector, route.target().address());
        }
        return feed;
    }

    /**
     * Connects a held connection and sends what it held; {@code caughtUp} completes once the clone
     * has answered any of it (or closed, or {@link #REPLAY_ANSWER_WAIT} passed, or nothing was held),
     * so that the next held connection goes only after this one's requests reached the clone.
     */
    private void replay(Connector connector, HostPort address, CompletableFuture<Void> caughtUp) {
        boolean heldAny = !held.isEmpty() || halfClosePending || closePending;
        connect(connector, address, heldAny ? caughtUp : null);
        if (!heldAny || clone == null) {
            caughtUp.complete(null);
            return;
        }
        clone.closeFuture().addListener(f -> caughtUp.complete(null));
        client.eventLoop().schedule(() -> caughtUp.complete(null), REPLAY_ANSWER_WAIT.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** How long a replayed connection's turn waits for the clone's first answer at most. */
    static final Duration REPLAY_ANSWER_WAIT = Duration.ofMillis(200);

    private void connect(Connector connector, HostPort address) {
        connect(connector, address, null);
    }

    /** @param answered completed at the clone's first answer on this connection, or null */
    private void connect(Connector connector, HostPort address, CompletableFuture<Void> answered) {
        waitingForClone = false;
        if (abandoned || state == State.CLOSED) {
            return; // retired or dropped while the clone was being made
        }
        ChannelFuture connect = connector.connect(client, address,
                new CloneAnswerDiscarder(route.metrics(), comparison, answered, this::cloneAnswered), true);
        clone = connect.channel();
        clone.closeFuture().addListener(f -> onCloneClosed());
        connect.addListener(this::onConnected);
    }

    /**
     * Takes one chunk of client bytes (ownership passes here: the chunk is written or released).
     *
     * @param onTaken run once the clone's socket took the chunk or the chunk was dropped; null if nobody waits
     */
    void offer(ByteBuf chunk, Runnable onTaken) {
        int n = chunk.readableBytes();
        if (abandoned || state == State.CLOSED) {
            chunk.release();
            if (!abandoned) {
                // the clone closed on its own and now misses bytes
                route.metrics().dropped(n);
                abandon(true);
            } else if (!retired) {
                route.metrics().dropped(n);
            }
            runIfSet(onTaken);
            return;
        }
        if (unsentBytes + n > connectionBudget || !globalBudget.tryReserve(n)) {
            chunk.release();
            route.metrics().dropped(n);
            abandon(true);
            runIfSet(onTaken);
            return;
        }
        long now = System.nanoTime();
        if (unsent.isEmpty()) {
            oldestPendingNanos = now;
        }
        long dependsOn = -1;
        boolean startsTurn = turnsOffered == 0 || answeredSinceOffer;
        if (startsTurn) {
            if (turnsOffered == 0) {
                // a connection's first request waits for what production answered before it opened;
                // later ones do not: under a saturating load of long-lived connections each wait would
                // add to the last and the clone would fall ever further behind
                long latest = order.latest();
                if (!order.answeredUpTo(latest, this)) {
                    dependsOn = latest;
                }
            }
            turnsOffered++;
            answeredSinceOffer = false;
        }
        boolean holding = state == State.CONNECTING || !held.isEmpty() || dependsOn >= 0;
        if (onTaken != null && (waitingForClone || holding && state != State.CONNECTING)) {
            // sync strategy: production must not wait for a clone still being restored, nor for its order
            onTaken.run();
            onTaken = null;
        }
        Chunk c = new Chunk(n, now, onTaken);
        unsent.add(c);
        unsentBytes += n;
        if (onTaken != null && !drainTimeout.isZero()) {
            // sync strategy: production waits for this chunk, but never longer than the timeout
            client.eventLoop().schedule(() -> {
                if (!abandoned && unsent.contains(c)) {
                    abandon(true);
                }
            }, drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        route.addLag(n);
        if (holding) {
            held.add(new Held(chunk, startsTurn, dependsOn));
            if (state == State.OPEN) {
                sendHeld();
            }
        } else {
            turnsSent = turnsOffered;
            clone.writeAndFlush(chunk).addListener(written);
        }
    }

    /**
     * Writes held chunks in order, up to a turn whose answers the clone has not given yet; that
     * one waits for them, or for {@link AnswerOrder#maxWaitNanos()} at most.
     */
    private void sendHeld() {
        if (waitingForOrder) {
            return;
        }
        boolean wrote = false;
        Held h;
        while ((h = held.peek()) != null) {
            if (h.dependsOn() >= 0 && !order.answeredUpTo(h.dependsOn(), this)) {
                waitForOrder(h.dependsOn());
                break;
            }
            held.poll();
            if (h.startsTurn()) {
                turnsSent++;
            }
            clone.write(h.chunk()).addListener(written);
            wrote = true;
        }
        if (wrote) {
            clone.flush();
        }
        if (held.isEmpty()) {
            if (halfClosePending) {
                halfClosePending = false;
                Channels.shutdownOutputAfterFlush(clone);
            }
            if (closePending) {
                closePending = false;
                drain();
            }
        }
    }

    private void waitForOrder(long upTo) {
        waitingForOrder = true;
        long wait = ++orderWait;
        if (order.awaitAnswered(upTo, this, () -> client.eventLoop().execute(() -> orderReleased(wait)))) {
            client.eventLoop().schedule(() -> {
                if (waitingForOrder && orderWait == wait) {
                    order.giveUpOn(upTo, this);
                    orderReleased(wait);
                }
            }, order.maxWaitNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void orderReleased(long wait) {
        if (!waitingForOrder || orderWait != wait) {
            return; // released already, or the feed was dropped
        }
        waitingForOrder = false;
        Held h = held.peek();
        if (h != null && h.dependsOn() >= 0 && !order.answeredUpTo(h.dependsOn(), this)) {
            // given up on: sent without the answers it waited for
            held.poll();
            held.addFirst(new Held(h.chunk(), true, -1));
        }
        if (state == State.OPEN && !abandoned) {
            sendHeld();
        }
    }

    /** Production answered a turn of the client's on this connection (its first answer bytes after the client's). */
    void productionAnswered() {
        if (abandoned || state == State.CLOSED) {
            return;
        }
        answeredSinceOffer = true;
        if (turnsAnswered >= turnsOffered) {
            return; // the clone answered first
        }
        PendingAnswer p = new PendingAnswer(order.number(), turnsOffered);
        pendingAnswers.add(p);
        if (pendingAnswers.size() == 1) {
            order.pend(p.number(), this);
        }
    }

    /** The clone sent answer bytes: every turn sent to it so far counts as answered. */
    private void cloneAnswered() {
        turnsAnswered = turnsSent;
        PendingAnswer oldest = pendingAnswers.peek();
        if (oldest == null || oldest.turn() > turnsAnswered) {
            return;
        }
        PendingAnswer p;
        while ((p = pendingAnswers.peek()) != null && p.turn() <= turnsAnswered) {
            pendingAnswers.poll();
        }
        if (p != null) {
            order.pend(p.number(), this); // before the clear, so nobody waiting for it is let go meanwhile
        }
        order.cleared(oldest.number());
    }

    /** This connection will answer nothing more: its pending answers stop holding other connections. */
    private void forgetPendingAnswers() {
        PendingAnswer oldest = pendingAnswers.peek();
        if (oldest != null) {
            pendingAnswers.clear();
            order.cleared(oldest.number());
        }
    }

    /** The client sent FIN: the clone gets FIN after the bytes before it. */
    void clientHalfClosed() {
        if (state == State.CONNECTING || !held.isEmpty()) {
            halfClosePending = true;
        } else if (state == State.OPEN && !abandoned) {
            Channels.shutdownOutputAfterFlush(clone);
        }
    }

    /** The client connection is gone: the clone gets what is queued, then close, within the drain timeout. */
    void clientClosed() {
        if (state == State.CONNECTING || !held.isEmpty()) {
            closePending = true;
        } else if (state == State.OPEN && !abandoned) {
            drain();
        }
    }

    @Override
    public long oldestPendingNanos() {
        return oldestPendingNanos;
    }

    @Override
    public void retire() {
        client.eventLoop().execute(() -> {
            if (!abandoned) {
                retired = true;
                abandon(false);
            }
        });
    }

    /** True while the clone is still being fed (not dropped, not closed). */
    boolean isLive() {
        return !abandoned && state != State.CLOSED;
    }

    long unsentBytes() {
        return unsentBytes;
    }

    private void onConnected(io.netty.util.concurrent.Future<? super Void> f) {
        if (!f.isSuccess()) {
            if (!abandoned) {
                abandon(true); // refused or unreachable clone: counted, production carries on
            }
            return;
        }
        if (abandoned || state == State.CLOSED) {
            clone.close();
            return;
        }
        state = State.OPEN;
        Transport.capUnsent(clone, CLONE_UNSENT_BYTES);
        sendHeld();
    }

    private void onWritten(ChannelFuture f) {
        Chunk c = unsent.poll();
        if (c == null) {
            return; // already accounted as dropped when the feed was abandoned
        }
        giveBack(c.bytes());
        oldestPendingNanos = unsent.isEmpty() ? 0 : unsent.peek().arrivedNanos();
        if (f.isSuccess()) {
            route.metrics().sent(c.bytes());
        } else {
            route.metrics().dropped(c.bytes());
            abandon(true);
        }
        runIfSet(c.onTaken());
    }

    private void drain() {
        draining = true;
        if (!drainTimeout.isZero()) {
            // FIN after the queued bytes, and keep reading (comparing or discarding) until the clone
            // closes its side or the deadline: closing with the clone's answers unread would send a
            // reset, which can make the clone lose the end of the client's stream
            Channels.shutdownOutputAfterFlush(clone);
        } else {
            if (comparison != null && !comparison.settled()) {
                comparison.dropped(DropReason.TIMEOUT); // no time to wait for the clone's last answers
            }
            Channels.closeOnFlush(clone);
        }
        if (!drainTimeout.isZero()) {
            drainDeadline = clone.eventLoop().schedule(() -> {
                if (clone.isOpen() && !abandoned) {
                    if (unsentBytes > 0) {
                        abandon(true); // stalled clone: stop holding memory for it
                    } else {
                        if (comparison != null && !comparison.settled()) {
                            comparison.dropped(DropReason.TIMEOUT);
                        }
                        clone.close();
                    }
                }
            }, drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The comparison needs nothing more from this clone connection: once the client left, close it. */
    void answersSettled() {
        if (draining && !abandoned && clone != null && clone.isOpen()) {
            Channels.closeOnFlush(clone);
        }
    }

    private void onCloneClosed() {
        if (!abandoned && unsentBytes > 0) {
            abandon(true); // the clone went away before taking everything
        }
        forgetPendingAnswers();
        state = State.CLOSED;
        if (drainDeadline != null) {
            drainDeadline.cancel(false);
        }
        route.detach(this);
        route.metrics().closed();
    }

    /** Drops everything held and closes the clone connection; counted as desynced unless the clone was retired. */
    private void abandon(boolean desynced) {
        if (abandoned) {
            return;
        }
        abandoned = true;
        if (desynced) {
            route.metrics().desynced();
        }
        if (comparison != null) {
            comparison.dropped(desynced ? DropReason.DESYNC : null);
        }
        waitingForOrder = false;
        forgetPendingAnswers();
        Held h;
        while ((h = held.poll()) != null) {
            h.chunk().release();
        }
        Chunk c;
        while ((c = unsent.poll()) != null) {
            giveBack(c.bytes());
            if (!retired) {
                route.metrics().dropped(c.bytes());
            }
            runIfSet(c.onTaken());
        }
        oldestPendingNanos = 0;
        // in-flight writes are failed and released by Netty on close; their listeners find nothing left to account
        if (clone != null) {
            clone.close(); // onCloneClosed detaches it
        } else {
            // never connected (its clone was still being made): nothing will close, so detach here
            state = State.CLOSED;
            route.detach(this);
            route.metrics().closed();
        }
    }

    private void giveBack(int bytes) {
        unsentBytes -= bytes;
        route.addLag(-bytes);
        globalBudget.release(bytes);
    }

    private static void runIfSet(Runnable r) {
        if (r != null) {
            r.run();
        }
    }
}
