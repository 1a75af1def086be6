package io.parikshan.proxy.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.parikshan.proxy.HostPort;

/** Connects with the inbound channel's own event loop and transport, as Netty's proxy example does. */
final class NettyConnector implements Connector {

    private final Bootstrap template;

    public NettyConnector(int connectTimeoutMillis) {
        template = new Bootstrap()
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
    }

    @Override
    public ChannelFuture connect(Channel inbound, HostPort target, ChannelHandler handler, boolean autoRead) {
        return template.clone(inbound.eventLoop())
                .channel(inbound.getClass().asSubclass(Channel.class))
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(handler)
                .connect(target.host(), target.port());
    }
}
