package io.parikshan.proxy.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.parikshan.proxy.CloneConnection;
import io.parikshan.proxy.CloneRoute;
import io.parikshan.proxy.CloneRoutes;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.RoutedDuplicator;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.metrics.DuplicatorMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The UDP duplicator. One event loop owns the listening socket and every session, so sessions
 * need no locks; only the budget and the clone registry are shared with other threads.
 */
public final class UdpDuplicator extends RoutedDuplicator {

    /** Sessions idle this long are closed. */
    public static final Duration SESSION_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** At most this many client addresses at once; datagrams from further ones go unproxied (counted). */
    public static final int MAX_SESSIONS = 16_384;

    private final DuplicatorConfig config;
    private final EventLoopGroup loop = new NioEventLoopGroup(1);
    private final BufferBudget budget;
    private final DuplicatorMetrics metrics;
    private final Map<InetSocketAddress, Session> sessions = new HashMap<>();
    private final InetSocketAddress productionAddress;
    private final Channel listener;
    private final ScheduledFuture<?> sweeper;

    private UdpDuplicator(DuplicatorConfig config, BufferBudget budget, DuplicatorMetrics metrics, CloneRoutes routes) {
        super(routes);
        this.config = config;
        this.budget = budget;
        this.metrics = metrics;
        config.clones().forEach(routes::add);
        this.productionAddress = config.production().toSocketAddress();
        try {
            this.listener = new Bootstrap().group(loop).channel(NioDatagramChannel.class)
                    .handler(new ClientDatagrams())
                    .bind(config.listen().host(), config.listen().port())
                    .syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked exception unchecked
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("cannot listen on UDP " + config.listen() + ": " + e.getMessage()
                    + "; pick a free port or stop what holds it", e);
        }
        long sweepNanos = SESSION_IDLE_TIMEOUT.toNanos() / 4;
        this.sweeper = loop.next().scheduleAtFixedRate(this::closeIdleSessions, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
    }

    /** Binds the listen address and starts duplicating datagrams. */
    public static UdpDuplicator start(DuplicatorConfig config, PrometheusRegistry registry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        BufferBudget budget = new BufferBudget(config.globalBudget().bytes());
        CloneRoutes[] holder = new CloneRoutes[1];
        DuplicatorMetrics metrics = new DuplicatorMetrics(registry,
                () -> holder[0] == null ? List.<CloneRoute>of() : holder[0].current(),
                () -> new long[] {budget.used(), budget.limit()});
        holder[0] = new CloneRoutes(metrics);
        return new UdpDuplicator(config, budget, metrics, holder[0]);
    }

    /** Datagrams from clients: to production as they are, a copy to every clone of the session. */
    private final class ClientDatagrams extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            int n = packet.content().readableBytes();
            metrics.clientToProxy(n);
            Session s = sessions.get(packet.sender());
            if (s == null) {
                if (sessions.size() >= MAX_SESSIONS) {
                    return;
                }
                s = new Session(packet.sender());
                sessions.put(packet.sender(), s);
            }
            s.lastActiveNanos = System.nanoTime();
            for (CloneDatagrams feed : s.feeds) {
                feed.offer(packet.content());
            }
            send(s.productionReady, packet.content().retain(), f -> {
                if (f.isSuccess()) {
                    metrics.proxyToProduction(n);
                }
            });
        }
    }

    /** One client address: its socket to production and to each clone. */
    private final class Session {
        final InetSocketAddress client;
        final Channel production;
        final ChannelFuture productionReady;
        final List<CloneDatagrams> feeds = new ArrayList<>();
        long lastActiveNanos = System.nanoTime();

        Session(InetSocketAddress client) {
            this.client = client;
            metrics.connectionOpened();
            this.productionReady = datagramBootstrap(new ProductionReplies(client)).connect(productionAddress);
            this.production = productionReady.channel();
            boolean sampled = config.sampleRate() >= 1.0 || ThreadLocalRandom.current().nextDouble() < config.sampleRate();
            if (sampled) {
                for (CloneRoute route : routes.current()) {
                    CloneDatagrams feed = new CloneDatagrams(route);
                    if (route.attach(feed)) {
                        route.metrics().opened();
                        if (route.isPending()) {
                            // the clone is being made: datagrams wait for it, then go in order
                            feed.holding = true;
                            route.whenRunning(t -> loop.execute(() -> feed.open(t)));
                        } else {
                            feed.open(route.target());
                        }
                        feeds.add(feed);
                    }
                }
            }
        }

        void close() {
            metrics.connectionClosed();
            production.close();
            feeds.forEach(CloneDatagrams::close);
        }
    }

    /** Replies from production back to the client, from the listening address. */
    private final class ProductionReplies extends SimpleChannelInboundHandler<DatagramPacket> {
        private final InetSocketAddress client;

        ProductionReplies(InetSocketAddress client) {
            this.client = client;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            int n = packet.content().readableBytes();
            listener.writeAndFlush(new DatagramPacket(packet.content().retain(), client)).addListener(f -> {
                if (f.isSuccess()) {
                    metrics.productionToClient(n);
                }
            });
        }
    }

    /** One session's socket to one clone. Datagrams that do not fit the budgets are dropped for the clone only. */
    private final class CloneDatagrams extends SimpleChannelInboundHandler<DatagramPacket> implements CloneConnection {
        private final CloneRoute route;
        private Channel channel;
        private ChannelFuture ready;
        private volatile long oldestPendingNanos;
        private int inFlight;
        /** The clone is still being made: datagrams are held (within the budgets) until {@link #open}. */
        boolean holding;
        private final java.util.ArrayDeque<ByteBuf> held = new java.util.ArrayDeque<>();
        private long heldBytes;
        private boolean closed;

        CloneDatagrams(CloneRoute route) {
            this.route = route;
        }

        void open(CloneTarget target) {
            holding = false;
            if (closed) {
                return;
            }
            ready = datagramBootstrap(this).connect(target.address().toSocketAddress());
            channel = ready.channel();
            ByteBuf datagram;
            while ((datagram = held.poll()) != null) {
                heldBytes -= datagram.readableBytes();
                write(datagram); // budget and lag stay reserved until it is sent
            }
        }

        void offer(ByteBuf content) {
            int n = content.readableBytes();
            if (closed) {
                return; // the clone left the proxy (retired, or never came)
            }
            boolean room = holding ? heldBytes + n <= config.connectionBudget().bytes()
                    : channel != null && channel.isOpen() && channel.isWritable();
            if (!room || !budget.tryReserve(n)) {
                route.metrics().dropped(n);
                return;
            }
            if (inFlight++ == 0) {
                oldestPendingNanos = System.nanoTime();
            }
            route.addLag(n);
            if (holding) {
                heldBytes += n;
                held.add(content.retainedDuplicate());
            } else {
                write(content.retainedDuplicate());
            }
        }

        /** Sends a datagram whose budget and lag are reserved; gives them back once it is out. */
        private void write(ByteBuf datagram) {
            int n = datagram.readableBytes();
            send(ready, datagram, f -> {
                budget.release(n);
                route.addLag(-n);
                if (--inFlight == 0) {
                    oldestPendingNanos = 0;
                }
                if (f.isSuccess()) {
                    route.metrics().sent(n);
                } else {
                    route.metrics().dropped(n);
                }
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket answer) {
            route.metrics().discarded(answer.content().readableBytes());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable from a clone that is down: the datagram is lost for the clone only
        }

        @Override
        public long oldestPendingNanos() {
            return oldestPendingNanos;
        }

        @Override
        public void retire() {
            loop.execute(this::close);
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            ByteBuf datagram;
            while ((datagram = held.poll()) != null) {
                budget.release(datagram.readableBytes());
                route.addLag(-datagram.readableBytes());
                datagram.release();
            }
            heldBytes = 0;
            inFlight = 0;
            oldestPendingNanos = 0;
            if (channel != null) {
                channel.close();
            }
            route.detach(this);
            route.metrics().closed();
        }
    }

    /**
     * Writes once the socket is connected. Connecting a datagram socket only fixes its peer, but
     * Netty runs it as a task, so the session's first datagram waits for it.
     */
    private static void send(ChannelFuture ready, ByteBuf datagram, GenericFutureListener<? extends Future<? super Void>> done) {
        if (ready.isDone()) {
            ready.channel().writeAndFlush(datagram).addListener(done);
        } else {
            ready.addListener(f -> ready.channel().writeAndFlush(datagram).addListener(done));
        }
    }

    private Bootstrap datagramBootstrap(io.netty.channel.ChannelHandler handler) {
        return new Bootstrap().group(loop).channel(NioDatagramChannel.class)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark((int) Math.min(Integer.MAX_VALUE / 2, config.connectionBudget().bytes() / 2),
                                (int) Math.min(Integer.MAX_VALUE, config.connectionBudget().bytes())))
                .handler(handler);
    }

    private void closeIdleSessions() {
        long now = System.nanoTime();
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (now - s.lastActiveNanos > SESSION_IDLE_TIMEOUT.toNanos()) {
                it.remove();
                s.close();
            }
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Client sessions open now, as the active-connections gauge counts them. */
    @Override
    public long activeConnections() {
        return metrics.activeConnections();
    }

    /** Bytes held by all clone feeds right now (in flight, or held for a clone being made). */
    public long bufferedBytes() {
        return budget.used();
    }

    /** Client addresses with a live session. */
    public int sessionCount() {
        return loop.submit(sessions::size).syncUninterruptibly().getNow();
    }

    @Override
    public void close() {
        sweeper.cancel(false);
        loop.submit(() -> {
            sessions.values().forEach(Session::close);
            sessions.clear();
            listener.close();
        }).syncUninterruptibly();
        routes.clear();
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
