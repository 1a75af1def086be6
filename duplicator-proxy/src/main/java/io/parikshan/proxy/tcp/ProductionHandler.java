package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.parikshan.proxy.metrics.DuplicatorMetrics;

/** Production's side: answers pulled back to the client one chunk at a time, FIN and close passed on. */
final class ProductionHandler extends ChannelInboundHandlerAdapter {

    private final Channel client;
    private final DuplicatorMetrics metrics;
    /** Told of every answer, for the client handler's idea of when the connection was last busy. */
    private final Runnable answered;
    /** Set by the client's handler before production's first read (same event loop); null when answers are not compared. */
    private ConnectionComparison comparison;

    ProductionHandler(Channel client, DuplicatorMetrics metrics, Runnable answered) {
        this.client = client;
        this.metrics = metrics;
        this.answered = answered;
    }

    void compareWith(ConnectionComparison c) {
        this.comparison = c;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel production = ctx.channel();
        int n = msg instanceof ByteBuf b ? b.readableBytes() : 0;
        // a reference for the comparison, taken before the write may release the chunk; used only after it
        ByteBuf forComparison = comparison != null && comparison.active() && msg instanceof ByteBuf b ? b.retainedDuplicate() : null;
        client.writeAndFlush(msg).addListener(f -> {
            if (f.isSuccess()) {
                metrics.productionToClient(n);
                answered.run();
                production.read();
            } else {
                production.close();
            }
        });
        if (forComparison != null) {
            comparison.productionAnswer(forComparison);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (comparison != null) {
                comparison.productionEnded();
            }
            Channels.shutdownOutputAfterFlush(client);
            Channels.closeIfOutputShutdown(ctx.channel());
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (comparison != null) {
            comparison.productionEnded();
        }
        Channels.closeOnFlush(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
