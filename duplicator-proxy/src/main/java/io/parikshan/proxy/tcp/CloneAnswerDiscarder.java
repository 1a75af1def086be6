package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.parikshan.proxy.metrics.CloneMetrics;

/**
 * Reads whatever a clone answers so the clone never blocks on a full socket, and either throws
 * it away or, when answers are compared, hands it to the connection's comparison (which throws
 * it away once compared). Nothing a clone says ever reaches the client.
 */
final class CloneAnswerDiscarder extends ChannelInboundHandlerAdapter {

    private final CloneMetrics metrics;
    private final CloneAnswerSink comparison;
    /** Completed at the clone's first answer (a held connection's replay waits for it), or null. */
    private final CompletableFuture<Void> answered;
    /** Told of every answer chunk (the feed's count of the turns the clone answered). */
    private final Runnable onAnswer;

    /**
     * @param comparison where answers go to be compared, or null to discard them at once
     * @param answered   completed when the clone first answers, or null
     * @param onAnswer   run at every answer chunk
     */
    CloneAnswerDiscarder(CloneMetrics metrics, CloneAnswerSink comparison, CompletableFuture<Void> answered, Runnable onAnswer) {
        this.onAnswer = onAnswer;
        this.metrics = metrics;
        this.comparison = comparison;
        this.answered = answered;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Not read in batches (Transport.readInBatches) for now: with the clone socket's unsent
        // cap (TCP_NOTSENT_LOWAT) beside it, a clone's last answers below the batch size were
        // left unread until the drain timeout in CI runs (DuplicatorIT's echo test); every answer
        // is read as it comes instead, which costs wake-ups, never the clone's stream.
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            if (answered != null) {
                answered.complete(null);
            }
            onAnswer.run();
            metrics.discarded(buf.readableBytes());
            if (comparison != null) {
                comparison.answer(buf);
                return;
            }
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (comparison != null) {
                comparison.ended();
            }
            Channels.closeIfOutputShutdown(ctx.channel());
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (comparison != null) {
            comparison.ended();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset from the clone; the feed's close listener accounts for it
        ctx.close();
    }
}
