package io.parikshan.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;

import java.util.Locale;

/**
 * The socket transport of the TCP proxy: Netty's native epoll where it loads (Linux), else NIO.
 * Epoll costs less CPU per request (no selected-key sets or JDK socket locks, edge-triggered
 * wake-ups) and lets a clone's answers be read in batches ({@link #readInBatches}).
 *
 * <p>{@code -Dparikshan.proxy.transport=nio} forces NIO (e.g. to compare the two, or if the native
 * library misbehaves on a host); {@code epoll} demands epoll and fails when it cannot load.
 */
enum Transport {
    EPOLL, NIO;

    /** System property choosing the transport: {@code auto} (default), {@code epoll} or {@code nio}. */
    public static final String PROPERTY = "parikshan.proxy.transport";

    /** SO_RCVLOWAT (socket level), set through Netty's raw option since neither the JDK nor Netty name it. */
    private static final IntegerUnixChannelOption SO_RCVLOWAT = new IntegerUnixChannelOption("SO_RCVLOWAT", 1, 18);

    /** The transport named by {@link #PROPERTY}, or epoll when available. */
    public static Transport preferred() {
        String wanted = System.getProperty(PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
        return switch (wanted) {
            case "auto", "" -> Epoll.isAvailable() ? EPOLL : NIO;
            case "nio" -> NIO;
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=epoll but native epoll does not load here ("
                            + Epoll.unavailabilityCause() + "); use -D" + PROPERTY + "=nio or leave it unset");
                }
                yield EPOLL;
            }
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + wanted + " is not a transport; use auto, epoll or nio");
        };
    }

    public EventLoopGroup newEventLoopGroup(int threads) {
        return this == EPOLL ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Asks the kernel to wake the reader of {@code ch} only once {@code bytes} are waiting (or at
     * FIN, reset, or when the socket's receive memory runs short), so answers nobody looks at are
     * read many at a time instead of one wake-up and one read each. Only on epoll channels; a no-op
     * elsewhere.
     *
     * @return true if set
     */
    static boolean readInBatches(Channel ch, int bytes) {
        if (!(ch instanceof EpollSocketChannel)) {
            return false;
        }
        try {
            return ch.config().setOption(SO_RCVLOWAT, bytes);
        } catch (RuntimeException e) { // a socket already closed: nothing to batch
            return false;
        }
    }

    /**
     * Caps the bytes {@code ch}'s socket accepts beyond what it has sent ({@code TCP_NOTSENT_LOWAT}):
     * a write beyond it waits in the channel's own queue. Only on epoll channels; a no-op elsewhere.
     *
     * @return true if set
     */
    static boolean capUnsent(Channel ch, int bytes) {
        if (!(ch instanceof EpollSocketChannel)) {
            return false;
        }
        try {
            return ch.config().setOption(EpollChannelOption.TCP_NOTSENT_LOWAT, (long) bytes);
        } catch (RuntimeException e) { // a socket already closed: its close listener accounts for it
            return false;
        }
    }
}
