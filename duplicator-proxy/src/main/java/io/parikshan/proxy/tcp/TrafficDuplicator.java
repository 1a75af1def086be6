package io.parikshan.proxy.tcp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelitySnapshot;
import io.parikshan.proxy.metrics.DuplicatorMetrics;
import io.parikshan.proxy.CloneRoute;
import io.parikshan.proxy.CloneRoutes;
import io.parikshan.proxy.RoutedDuplicator;
import io.parikshan.proxy.DuplicatorConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The running TCP duplicator: listens on the client-facing address, proxies each connection to
 * production and feeds it to every clone. Clones can be added, removed and replaced while it runs.
 *
 * <pre>{@code
 * try (TrafficDuplicator proxy = TrafficDuplicator.start(config, registry)) {
 *     proxy.replaceClone("clone-1", new CloneTarget("clone-2", HostPort.parse("10.0.0.7:6379")));
 * }
 * }</pre>
 */
public final class TrafficDuplicator extends RoutedDuplicator {

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /**
     * One event loop per core: every connection's client, production and clone channels share
     * one loop, so more loops than cores only add context switches.
     */
    public static final int DEFAULT_IO_THREADS = Runtime.getRuntime().availableProcessors();
    /**
     * The listen backlog: as deep as the host allows ({@code net.core.somaxconn}, which the kernel
     * caps it to anyway), so a burst of new clients waits in the accept queue instead of having its
     * handshakes dropped and its SYNs retried a second later.
     */
    static final int LISTEN_BACKLOG = NetUtil.SOMAXCONN;

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Channel server;
    private final BufferBudget globalBudget;
    private final DuplicatorMetrics metrics;
    private final CompareMode compareMode;
    private final Transport transport;
    /** The client connections open now (closed ones leave the group by themselves). */
    private final ChannelGroup clients;
    /** A connection with no byte either way for this long is between exchanges: closed when draining. */
    static final long QUIET_BEFORE_CLOSE_NANOS = 200_000_000L;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private TrafficDuplicator(EventLoopGroup acceptor, EventLoopGroup workers, Channel server,
                              CloneRoutes routes, BufferBudget globalBudget, DuplicatorMetrics metrics, CompareMode compareMode,
                              Transport transport, ChannelGroup clients) {
        super(routes);
        this.compareMode = compareMode;
        this.transport = transport;
        this.clients = clients;
        this.acceptor = acceptor;
        this.workers = workers;
        this.server = server;
        this.globalBudget = globalBudget;
        this.metrics = metrics;
    }

    /**
     * Binds the listen address and starts proxying.
     *
     * @param registry where the metrics go (the caller exposes it, e.g. with an HTTP server)
     * @throws IllegalStateException if the listen address cannot be bound (message names it)
     */
    public static TrafficDuplicator start(DuplicatorConfig config, PrometheusRegistry registry) {
        return start(config, registry, new NettyConnector(CONNECT_TIMEOUT_MILLIS), DEFAULT_IO_THREADS);
    }

    /** As {@link #start(DuplicatorConfig, PrometheusRegistry)} with a given number of I/O threads. */
    public static TrafficDuplicator start(DuplicatorConfig config, PrometheusRegistry registry, int ioThreads) {
        return start(config, registry, new NettyConnector(CONNECT_TIMEOUT_MILLIS), ioThreads);
    }

    static TrafficDuplicator start(DuplicatorConfig config, PrometheusRegistry registry, Connector connector, int ioThreads) {
        Objects.requireNonNull(config, "config");
        if (ioThreads < 1) {
            throw new IllegalArgumentException("I/O threads " + ioThreads + " must be at least 1");
        }
        Objects.requireNonNull(registry, "registry");
        BufferBudget budget = new BufferBudget(config.globalBudget().bytes());
        CloneRoutes[] holder = new CloneRoutes[1];
        DuplicatorMetrics metrics = new DuplicatorMetrics(registry,
                () -> holder[0] == null ? List.<CloneRoute>of() : holder[0].current(),
                () -> new long[] {budget.used(), budget.limit()});
        CloneRoutes routes = new CloneRoutes(metrics, config.fidelity());
        holder[0] = routes;
        config.clones().forEach(routes::add);
        ProxyContext context = new ProxyContext(config, connector, routes, budget, metrics);

        Transport transport = Transport.preferred();
        ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        EventLoopGroup acceptor = transport.newEventLoopGroup(1);
        EventLoopGroup workers = transport.newEventLoopGroup(ioThreads);
        try {
            Channel server = new ServerBootstrap()
                    .group(acceptor, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, LISTEN_BACKLOG)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ClientConnectionHandler(context));
                            clients.add(ch);
                        }
                    })
                    .bind(config.listen().host(), config.listen().port())
                    .syncUninterruptibly()
                    .channel();
            return new TrafficDuplicator(acceptor, workers, server, routes, budget, metrics, config.fidelity().mode(), transport, clients);
        } catch (Exception e) { // Netty rethrows the bind's checked exception unchecked
            acceptor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("cannot listen on " + config.listen() + ": " + e.getMessage()
                    + "; pick a free port or stop what holds it", e);
        }
    }

    /** The bound address (useful with port 0). */
    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The socket transport in use, lower case: {@code epoll}, or {@code nio} where epoll does not load. */
    public String transportName() {
        return transport.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public FidelitySnapshot fidelity() {
        if (compareMode == CompareMode.OFF) {
            return FidelitySnapshot.off();
        }
        return new FidelitySnapshot(java.time.Instant.now(), compareMode,
                routes.current().stream().map(r -> r.fidelity().snapshot()).toList());
    }

    /** Bytes held by all clone buffers right now. */
    public long bufferedBytes() {
        return globalBudget.used();
    }

    /** Client connections open through the proxy right now. */
    @Override
    public long activeConnections() {
        return metrics.activeConnections();
    }

    /**
     * Stops listening and stops feeding clones, lets the client connections already open finish
     * with production for up to {@code drain}, then closes what is left. Used when a session ends,
     * so that clients in the middle of a conversation are not cut off.
     *
     * @return true if every client connection had finished on its own
     */
    @Override
    public boolean closeGracefully(java.time.Duration drain) {
        server.close().syncUninterruptibly();
        routes.clear();
        long start = System.nanoTime();
        long deadline = start + drain.toNanos();
        long anyProtocolFrom = start + drain.toNanos() / 2;
        boolean drained;
        while (!(drained = activeConnections() == 0) && System.nanoTime() < deadline) {
            // Keep-alive clients would hold their connections for the whole drain and then be cut,
            // maybe mid-request: each is closed at a quiet moment instead, HTTP ones from the start,
            // others (whose pauses may be mid-conversation) in the drain's second half.
            boolean anyProtocol = System.nanoTime() >= anyProtocolFrom;
            for (Channel c : clients) {
                ClientConnectionHandler h = c.pipeline().get(ClientConnectionHandler.class);
                if (h != null) {
                    c.eventLoop().execute(() -> h.closeIfQuiet(QUIET_BEFORE_CLOSE_NANOS, anyProtocol));
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        return drained;
    }

    /** Stops listening and closes every connection; closing twice is harmless. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close().syncUninterruptibly();
        routes.clear();
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
