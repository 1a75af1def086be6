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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client's side of one proxied connection. Production gets every byte through a pull loop
 * ({@code AUTO_READ} off); each clone feed gets a retained duplicate of the same chunk.
 */
public final class ClientConnectionHandler extends ChannelInboundHandlerAdapter {

    private final ProxyContext context;
    private final boolean synchronizedStrategy;
    private final Runnable stepTaken = this::stepTaken;
    private Channel client;
    private Channel production;
    private ProductionHandler productionHandler;
    private List<CloneFeed> feeds = List.of();
    /** Compares the clones' answers with production's; null when comparison is off or nothing is duplicated. */
    private ConnectionComparison comparison;
    private int lastChunkBytes;
    /** Parties (production + clones) that still have to take the current chunk before the next read. */
    private int awaiting;
    private final ChannelFutureListener productionWritten = this::productionWritten;

    public ClientConnectionHandler(ProxyContext context) {
        this.context = context;
        this.synchronizedStrategy = context.config().strategy() == DuplicationStrategy.SYNC;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        context.metrics().connectionOpened();
        productionHandler = new ProductionHandler(client, context.metrics());
        ChannelFuture connect = context.connector().connect(client, context.config().production(), productionHandler, false);
        production = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                if (client.isOpen()) {
                    context.metrics().productionConnectFailed();
                    Channels.reset(client);
                }
                return;
            }
            if (!client.isActive()) {
                production.close();
                return;
            }
            // the clone connects only once production did, in the order the client's connection came
            openCloneFeeds();
            production.read();
            client.read();
        });
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
        int n = chunk.readableBytes();
        context.metrics().clientToProxy(n);
        lastChunkBytes = n;
        List<CloneFeed> fs = feeds;
        ByteBuf forComparison = null;
        if (!fs.isEmpty()) {
            ByteBuf forClones = compactForClones(chunk);
            if (comparison != null && comparison.active()) {
                forComparison = forClones.retainedDuplicate();
            }
            if (synchronizedStrategy) {
                awaiting = 1 + fs.size();
            }
            for (CloneFeed feed : fs) {
                feed.offer(forClones.retainedDuplicate(), synchronizedStrategy ? stepTaken : null);
            }
            if (forClones != chunk) {
                forClones.release();
            }
        }
        // duplicates first: writing may release the chunk
        production.writeAndFlush(chunk).addListener(productionWritten);
        if (forComparison != null) {
            comparison.clientBytes(forComparison); // after production's write was issued
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
            Channels.closeOnFlush(client);
            production.close();
            return;
        }
        context.metrics().proxyToProduction(lastChunkBytes);
        if (synchronizedStrategy) {
            stepTaken();
        } else {
            client.read();
        }
    }

    private void stepTaken() {
        if (--awaiting == 0) {
            client.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channels.shutdownOutputAfterFlush(production);
            for (CloneFeed feed : feeds) {
                feed.clientHalfClosed();
            }
            Channels.closeIfOutputShutdown(client);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        context.metrics().connectionClosed();
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
