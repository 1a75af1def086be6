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

    ProductionHandler(Channel client, DuplicatorMetrics metrics) {
        this.client = client;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel production = ctx.channel();
        int n = msg instanceof ByteBuf b ? b.readableBytes() : 0;
        client.writeAndFlush(msg).addListener(f -> {
            if (f.isSuccess()) {
                metrics.productionToClient(n);
                production.read();
            } else {
                production.close();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channels.shutdownOutputAfterFlush(client);
            Channels.closeIfOutputShutdown(ctx.channel());
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channels.closeOnFlush(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
