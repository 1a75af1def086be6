package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.parikshan.proxy.CloneRoute;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.fidelity.FidelityConfig;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client's side of one proxied connection. Production gets every byte through a pull loop
 * ({@code AUTO_READ} off); each clone feed gets a retained duplicate of the same chunk.
 */
final class ClientConnectionHandler extends ChannelInboundHandlerAdapter {

    private final ProxyContext context;
    private final boolean synchronizedStrategy;
    private final Runnable stepTaken = this::stepTaken;
    private Channel client;
    private Channel production;
    private ProductionHandler productionHandler;
    private List<CloneFeed> feeds = List.of();
    /** Compares the clones' answers with production's; null when comparison is off or nothing is duplicated. */
    private ConnectionComparison comparison;
    /** Bytes of the chunk being written to production. */
    private int lastChunkBytes;
    /** A chunk is on its way (to production; in the sync strategy, to the clones too): the next waits. */
    private boolean chunkInFlight;
    /** Parties (production + clones) that still have to take the current chunk before the next one (sync strategy). */
    private int awaiting;
    private final ChannelFutureListener productionWritten = this::productionWritten;
    /**
     * Chunks that arrived while the pull loop had not asked for them. The epoll transport reads a
     * half-closed socket to its end whatever {@code AUTO_READ} says (Netty reads on EPOLLRDHUP so as
     * not to lose data), so a client's last bytes and its FIN can come before production is up or
     * while the previous chunk is still on its way. They wait here and go on one at a time, as if
     * pulled; what waits is bounded by the client socket's receive buffer, as the client has
     * finished sending.
     */
    private ArrayDeque<ByteBuf> held;
    /** The client's FIN (or close) came while chunks were held: passed on after them. */
    private boolean halfClosePending;
    private boolean closePending;
    private boolean productionUp;
    /** Inside {@link #forward}: a take completing there (a write can complete at once) moves on only after it. */
    private boolean forwarding;
    private boolean nextDue;
    /**
     * Counts chunks either way (client's requests, production's answers), for closing at a quiet
     * moment: a count, not a clock, so the production path pays an increment, not a clock read.
     */
    private long activity;
    /** The count when a drain last looked, and when it last changed. */
    private long activitySeen = -1;
    private long activitySeenNanos;
    /** The client's first bytes were an HTTP/1 request line: a quiet moment is between exchanges. */
    private boolean httpRequests;
    private boolean firstChunkSeen;
    /** Production's answer came after the client's last bytes (so, for HTTP, the exchange is answered). */
    private boolean answered;
    /** The proxy is closing: HTTP connections end at their next exchange boundary. */
    private boolean draining;

    public ClientConnectionHandler(ProxyContext context) {
        this.context = context;
        this.synchronizedStrategy = context.config().strategy() == DuplicationStrategy.SYNC;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        context.metrics().connectionOpened();
        productionHandler = new ProductionHandler(client, context.metrics(), () -> {
            activity++;
            if (!answered) {
                answered = true;
                productionAnsweredTurn();
            }
        });
        ChannelFuture connect = context.connector().connect(client, context.config().production(), productionHandler, false);
        production = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                releaseHeld();
                if (client.isOpen()) {
                    context.metrics().productionConnectFailed();
                    Channels.reset(client);
                }
                return;
            }
            if (!client.isActive() && held == null && !halfClosePending) {
                production.close();
                return;
            }
            productionUp = true;
            // the clone connects only once production did, in the order the client's connection came
            openCloneFeeds();
            production.read();
            nextChunk();
        });
    }

    /** Production's first answer to the client's latest bytes: the clones must answer it before later turns on other connections. */
    private void productionAnsweredTurn() {
        List<CloneFeed> fs = feeds;
        for (int i = 0; i < fs.size(); i++) { // indexed: no iterator per answer
            fs.get(i).productionAnswered();
        }
    }

    /** The previous chunk was taken (or production just came up): pass on a held chunk, or FIN/close after the last, or pull the next. */
    private void nextChunk() {
        ByteBuf chunk = held == null ? null : held.poll();
        if (chunk != null) {
            forward(chunk);
            return;
        }
        held = null;
        if (halfClosePending) {
            halfClosePending = false;
            halfClosed();
        }
        if (closePending) {
            closePending = false;
            clientGone();
        } else {
            client.read();
        }
    }

    private void releaseHeld() {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
    }

    private void openCloneFeeds() {
        List<CloneRoute> routes = context.routes().current();
        if (routes.isEmpty() || !sampled()) {
            return;
        }
        FidelityConfig fidelity = context.config().fidelity();
        if (fidelity.enabled()) {
            comparison = new ConnectionComparison(fidelity, client.eventLoop(), context.globalBudget(),
                    context.config().connectionBudget().bytes(), String.valueOf(client.remoteAddress()).replaceFirst("^/", ""),
                    routes.stream().map(CloneRoute::fidelity).toList());
            productionHandler.compareWith(comparison);
        }
        List<CloneFeed> opened = new ArrayList<>(routes.size());
        for (int i = 0; i < routes.size(); i++) {
            CloneAnswerSink sink = comparison == null ? null : comparison.side(i);
            CloneFeed feed = CloneFeed.open(client, routes.get(i), context.connector(), context.globalBudget(),
                    context.config().connectionBudget().bytes(), context.config().cloneDrainTimeout(), sink);
            if (feed != null) {
                opened.add(feed);
            } else if (sink != null) {
                sink.dropped(null); // removed meanwhile: not compared
            }
        }
        feeds = opened;
    }

    private boolean sampled() {
        double rate = context.config().sampleRate();
        return rate >= 1.0 || ThreadLocalRandom.current().nextDouble() < rate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf chunk)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        context.metrics().clientToProxy(chunk.readableBytes());
        activity++;
        if (!firstChunkSeen) {
            firstChunkSeen = true;
            httpRequests = startsLikeHttpRequest(chunk);
        } else if (draining && httpRequests && answered && !chunkInFlight && held == null) {
            // the next request of a keep-alive client: the last one was answered in full (HTTP/1
            // clients do not pipeline), this one is not forwarded, and the client, seeing its
            // reused connection closed before any answer, sends it again on a new one: to production
            chunk.release();
            Channels.closeOnFlush(client);
            return;
        }
        answered = false;
        if (!productionUp || chunkInFlight || held != null) {
            if (held == null) {
                held = new ArrayDeque<>(4);
            }
            held.add(chunk);
            return;
        }
        forward(chunk);
    }

    /** One chunk to every clone feed (retained duplicates) and then to production. */
    private void forward(ByteBuf chunk) {
        int n = chunk.readableBytes();
        List<CloneFeed> fs = feeds;
        chunkInFlight = true;
        lastChunkBytes = n;
        if (synchronizedStrategy) {
            awaiting = 1 + fs.size(); // before the offers: a feed that drops the chunk counts its take at once
        }
        forwarding = true;
        ByteBuf forClones = null;
        ByteBuf forComparison = null;
        if (!fs.isEmpty()) {
            // taken before production's write, which may release the chunk or move its reader index
            forClones = compactForClones(chunk);
            if (forClones == chunk) {
                forClones = chunk.retainedDuplicate();
            }
            if (comparison != null && comparison.active()) {
                forComparison = forClones.retainedDuplicate();
            }
        }
        // production's write first: the clones' writes (a syscall each) must not delay it
        production.writeAndFlush(chunk).addListener(productionWritten);
        if (forClones != null) {
            int last = fs.size() - 1;
            for (int i = 0; i < last; i++) { // indexed: no iterator per chunk
                fs.get(i).offer(forClones.retainedDuplicate(), synchronizedStrategy ? stepTaken : null);
            }
            fs.get(last).offer(forClones, synchronizedStrategy ? stepTaken : null); // the last takes our reference
        }
        if (forComparison != null) {
            comparison.clientBytes(forComparison); // after production's write was issued
        }
        forwarding = false;
        if (nextDue) {
            nextDue = false;
            nextChunk();
        }
    }

    /** Every party took the current chunk: on to the next, once this chunk reached the clones too. */
    private void chunkTaken() {
        chunkInFlight = false;
        if (forwarding) {
            nextDue = true;
        } else {
            nextChunk();
        }
    }

    /**
     * A duplicate pins the whole receive buffer, not just its readable bytes. A small read in a
     * large buffer is copied into a buffer of its own size, so that the budgets (which count
     * readable bytes) bound the memory really held for clones.
     */
    static ByteBuf compactForClones(ByteBuf chunk) {
        int n = chunk.readableBytes();
        if (chunk.capacity() <= 2 * n + 1024) {
            return chunk;
        }
        return chunk.alloc().buffer(n, n).writeBytes(chunk, chunk.readerIndex(), n);
    }

    private void productionWritten(ChannelFuture f) {
        if (!f.isSuccess()) {
            chunkInFlight = false;
            releaseHeld();
            Channels.closeOnFlush(client);
            production.close();
            if (closePending) {
                closePending = false;
                clientGone(); // the client had left meanwhile: its clones still hear of it
            }
            return;
        }
        context.metrics().proxyToProduction(lastChunkBytes);
        if (synchronizedStrategy) {
            stepTaken();
        } else {
            chunkTaken();
        }
    }

    private void stepTaken() {
        if (--awaiting == 0) {
            chunkTaken();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (productionUp && !chunkInFlight && held == null) {
                halfClosed();
            } else {
                halfClosePending = true; // after the chunks before it
            }
        }
        ReferenceCountUtil.release(evt);
    }

    /** The client sent FIN: production and the clones get FIN after the bytes before it. */
    private void halfClosed() {
        Channels.shutdownOutputAfterFlush(production);
        for (CloneFeed feed : feeds) {
            feed.clientHalfClosed();
        }
        Channels.closeIfOutputShutdown(client);
    }

    /**
     * Marks the connection as draining and closes it if it is between exchanges: nothing of the
     * client's on its way to production, and neither side has sent a byte for {@code quietNanos}.
     * For HTTP the last request must also have been answered: that is what a server's keep-alive
     * timeout does, which every client handles (it reconnects, here to production directly),
     * never a request cut off half-way; a busy keep-alive client is closed at its next request
     * instead (see {@link #channelRead}). For another protocol a pause may be in the middle of a
     * conversation, so only when {@code anyProtocol}. Runs on the connection's event loop.
     *
     * @return true if it closed (or was closed already)
     */
    public boolean closeIfQuiet(long quietNanos, boolean anyProtocol) {
        draining = true;
        if (client == null || !client.isOpen()) {
            return true;
        }
        long now = System.nanoTime();
        if (activity != activitySeen) {
            activitySeen = activity;
            activitySeenNanos = now;
            return false;
        }
        boolean betweenExchanges = httpRequests ? answered || !firstChunkSeen : anyProtocol;
        if (!betweenExchanges || chunkInFlight || held != null || halfClosePending || now - activitySeenNanos < quietNanos) {
            return false;
        }
        Channels.closeOnFlush(client);
        return true;
    }

    /** {@code GET /}, {@code OPTIONS *}, {@code POST http://...}: an HTTP/1 request line's start. */
    static boolean startsLikeHttpRequest(ByteBuf b) {
        int i = b.readerIndex();
        int end = Math.min(b.writerIndex(), i + 9);
        int letters = 0;
        while (i < end && b.getByte(i) >= 'A' && b.getByte(i) <= 'Z') {
            letters++;
            i++;
        }
        if (letters < 3 || i + 1 >= b.writerIndex() || b.getByte(i) != ' ') {
            return false;
        }
        byte target = b.getByte(i + 1);
        return target == '/' || target == '*' || target == 'h';
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        context.metrics().connectionClosed();
        if ((held != null || halfClosePending) && production != null && production.isOpen()) {
            closePending = true; // its last bytes (and FIN) first, in order
            return;
        }
        releaseHeld();
        clientGone();
    }

    private void clientGone() {
        if (comparison != null) {
            comparison.clientClosed();
        }
        if (production != null) {
            Channels.closeOnFlush(production);
        }
        for (CloneFeed feed : feeds) {
            feed.clientClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset or I/O error on the client's socket: end the connection, the same as a direct client would
        ctx.close();
    }

    List<CloneFeed> feeds() {
        return feeds;
    }
}
