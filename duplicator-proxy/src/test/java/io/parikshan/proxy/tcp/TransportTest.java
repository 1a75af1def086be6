package io.parikshan.proxy.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransportTest {

    private static final boolean LINUX_X86_64 = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            && System.getProperty("os.arch").matches("amd64|x86_64");

    private final String before = System.getProperty(Transport.PROPERTY);

    @AfterEach
    void restoreProperty() {
        if (before == null) {
            System.clearProperty(Transport.PROPERTY);
        } else {
            System.setProperty(Transport.PROPERTY, before);
        }
    }

    @Test
    void native_epoll_loads_on_linux_x86_64_and_is_preferred() {
        System.clearProperty(Transport.PROPERTY);
        if (LINUX_X86_64) {
            // the native jar is a pinned, older build than the Java classes: this catches a mismatch
            assertThat(Epoll.isAvailable()).as("native epoll loads: %s", Epoll.unavailabilityCause()).isTrue();
            assertThat(Transport.preferred()).isEqualTo(Transport.EPOLL);
        } else {
            assertThat(Transport.preferred()).isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
        }
    }

    @Test
    void the_property_forces_nio_and_a_wrong_value_is_named() {
        System.setProperty(Transport.PROPERTY, "nio");
        assertThat(Transport.preferred()).isEqualTo(Transport.NIO);
        System.setProperty(Transport.PROPERTY, "io_uring");
        assertThatThrownBy(Transport::preferred).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io_uring").hasMessageContaining("auto, epoll or nio");
    }

    @Test
    void discarded_answers_are_read_in_batches_on_epoll_sockets_only() throws Exception {
        if (!Epoll.isAvailable()) {
            assertThat(Transport.readInBatches(new io.netty.channel.embedded.EmbeddedChannel(), 4096)).isFalse();
            return;
        }
        EventLoopGroup group = Transport.EPOLL.newEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group).channel(Transport.EPOLL.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.0.1", 0).sync().channel();
            Channel ch = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();
            assertThat(Transport.readInBatches(ch, 32 * 1024)).isTrue();
            assertThat(ch.config().getOption(new IntegerUnixChannelOption("SO_RCVLOWAT", 1, 18))).isEqualTo(32 * 1024);
            ch.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
        assertThat(Transport.readInBatches(new io.netty.channel.embedded.EmbeddedChannel(), 4096)).isFalse();
    }
}
