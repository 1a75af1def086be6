package io.parikshan.proxy.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;

/** Close and half-close that let bytes already queued reach the peer first. */
final class Channels {

    private Channels() {
    }

    /** Flushes what is queued, then closes. */
    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (ch.isOpen()) {
            ch.close();
        }
    }

    /**
     * Flushes what is queued, then sends FIN. If the peer had already sent its FIN both
     * directions are done and the channel is closed.
     */
    static void shutdownOutputAfterFlush(Channel ch) {
        if (!ch.isActive()) {
            return;
        }
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (ch instanceof DuplexChannel duplex && !duplex.isInputShutdown()) {
                duplex.shutdownOutput();
            } else {
                ch.close();
            }
        });
    }

    /** Called when {@code ch} got FIN: if we already sent ours, nothing is left to do on it. */
    static void closeIfOutputShutdown(Channel ch) {
        if (ch instanceof DuplexChannel duplex && duplex.isOutputShutdown()) {
            ch.close();
        }
    }

    /** Closes with RST, the failure a client sees when it connects to a closed port directly. */
    static void reset(Channel ch) {
        if (ch.isOpen()) {
            try {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException notSupported) {
                // in-memory channels in tests; a plain close is the best we can do there
            }
            ch.close();
        }
    }
}
