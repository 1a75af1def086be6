package io.parikshan.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.parikshan.proxy.HostPort;

/**
 * Opens the outbound connections of a client connection (to production, to clones). Real runs
 * use {@link NettyConnector}; handler tests substitute in-memory channels.
 */
@FunctionalInterface
interface Connector {

    /**
     * Starts connecting to {@code target} on {@code inbound}'s event loop.
     * The returned future's {@link ChannelFuture#channel()} is the outbound channel, usable at once
     * for listeners, writable once the future succeeded.
     */
    ChannelFuture connect(Channel inbound, HostPort target, ChannelHandler handler, boolean autoRead);
}
