package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parikshan.proxy.ByteSize;
import io.parikshan.proxy.CloneRoute;
import io.parikshan.proxy.CloneRoutes;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.Scrape;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.metrics.DuplicatorMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientConnectionHandlerTest {

    private static final HostPort LISTEN = HostPort.parse("127.0.0.1:0");
    private static final HostPort PRODUCTION = HostPort.parse("127.0.0.1:7001");
    private static final HostPort CLONE_A = HostPort.parse("127.0.0.1:7002");
    private static final HostPort CLONE_B = HostPort.parse("127.0.0.1:7003");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final FakeConnector connector = new FakeConnector();
    private final List<ByteBuf> sent = new ArrayList<>();
    private CloneRoutes routes;
    private BufferBudget budget;

    private ProxyContext context(DuplicatorConfig config) {
        budget = new BufferBudget(config.globalBudget().bytes());
        CloneRoutes[] holder = new CloneRoutes[1];
        DuplicatorMetrics metrics = new DuplicatorMetrics(registry, () -> holder[0].current(),
                () -> new long[] {budget.used(), budget.limit()});
        routes = new CloneRoutes(metrics);
        holder[0] = routes;
        config.clones().forEach(routes::add);
        return new ProxyContext(config, connector, routes, budget, metrics);
    }

    private static DuplicatorConfig config(CloneTarget... clones) {
        return DuplicatorConfig.of(LISTEN, PRODUCTION, List.of(clones));
    }

    /** Counts read() requests, the pull loop's heartbeat. */
    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    private EmbeddedChannel client(ProxyContext ctx, ReadCounter reads) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.config().setAutoRead(false);
        ch.pipeline().addLast(reads, new ClientConnectionHandler(ctx));
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ch;
    }

    private ByteBuf chunk(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        sent.add(b);
        return b;
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }

    @AfterEach
    void everyBufferHasBeenReleased() {
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).as("leaked chunk").isZero());
        if (budget != null) {
            assertThat(budget.used()).as("budget given back").isZero();
        }
    }

    @Test
    void production_and_every_clone_get_the_same_bytes_and_clone_answers_are_discarded() {
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A), new CloneTarget("b", CLONE_B)));
        ReadCounter reads = new ReadCounter();
        EmbeddedChannel client = client(ctx, reads);

        client.writeInbound(chunk("GET / HTTP/1.1\r\n"));
        client.writeInbound(chunk("Host: x\r\n\r\n"));

        EmbeddedChannel production = connector.channelsTo(PRODUCTION).get(0);
        EmbeddedChannel a = connector.channelsTo(CLONE_A).get(0);
        EmbeddedChannel b = connector.channelsTo(CLONE_B).get(0);
        assertThat(production.config().isAutoRead()).as("production is pulled").isFalse();
        assertThat(drain(production)).isEqualTo("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(drain(a)).isEqualTo("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(drain(b)).isEqualTo("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        production.writeInbound(chunk("HTTP/1.1 200 OK\r\n\r\n"));
        a.writeInbound(chunk("HTTP/1.1 500 clone answer\r\n\r\n"));
        assertThat(drain(client)).isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
        assertThat(Scrape.value(registry, "parikshan_clone_to_proxy_discarded_bytes_total", "a")).isEqualTo(29);
        assertThat(Scrape.value(registry, "parikshan_proxy_to_clone_bytes_total", "a")).isEqualTo(27);
        assertThat(Scrape.value(registry, "parikshan_proxy_to_production_bytes_total", null)).isEqualTo(27);
        assertThat(Scrape.value(registry, "parikshan_client_to_proxy_bytes_total", null)).isEqualTo(27);
        assertThat(Scrape.value(registry, "parikshan_production_to_client_bytes_total", null)).isEqualTo(19);

        client.close();
        assertThat(production.isOpen()).isFalse();
        assertThat(a.isOpen()).isFalse();
        assertThat(Scrape.value(registry, "parikshan_clone_active_connections", "a")).isZero();
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isZero();
    }

    @Test
    void async_pull_loop_reads_again_as_soon_as_production_took_the_chunk_even_if_the_clone_hangs() {
        connector.set(CLONE_A, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        ReadCounter reads = new ReadCounter();
        EmbeddedChannel client = client(ctx, reads);
        int afterConnect = reads.reads;

        client.writeInbound(chunk("one"));
        assertThat(reads.reads).isEqualTo(afterConnect + 1);
        assertThat(Scrape.value(registry, "parikshan_buffer_lag_bytes", "a")).isEqualTo(3);
        assertThat(Scrape.value(registry, "parikshan_buffer_lag_seconds", "a")).isGreaterThanOrEqualTo(0);

        EmbeddedChannel a = connector.channelsTo(CLONE_A).get(0);
        connector.accept(a);
        assertThat(drain(a)).isEqualTo("one");
        assertThat(Scrape.value(registry, "parikshan_buffer_lag_bytes", "a")).isZero();
        drain(connector.channelsTo(PRODUCTION).get(0));
        client.close();
    }

    @Test
    void sync_strategy_reads_the_next_chunk_only_after_the_clone_took_the_previous_one() {
        connector.set(CLONE_A, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)).withStrategy(DuplicationStrategy.SYNC));
        ReadCounter reads = new ReadCounter();
        EmbeddedChannel client = client(ctx, reads);
        int afterConnect = reads.reads;

        client.writeInbound(chunk("one"));
        assertThat(reads.reads).as("held back by the clone").isEqualTo(afterConnect);
        assertThat(drain(connector.channelsTo(PRODUCTION).get(0))).isEqualTo("one");

        EmbeddedChannel a = connector.channelsTo(CLONE_A).get(0);
        connector.accept(a);
        assertThat(reads.reads).isEqualTo(afterConnect + 1);
        assertThat(drain(a)).isEqualTo("one");
        client.close();
    }

    @Test
    void sync_strategy_drops_a_clone_that_takes_nothing_for_the_timeout_so_production_goes_on() {
        connector.set(CLONE_A, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)).withStrategy(DuplicationStrategy.SYNC)
                .withCloneDrainTimeout(java.time.Duration.ofSeconds(5)));
        ReadCounter reads = new ReadCounter();
        EmbeddedChannel client = client(ctx, reads);
        int afterConnect = reads.reads;
        client.writeInbound(chunk("one"));
        assertThat(reads.reads).isEqualTo(afterConnect);

        client.advanceTimeBy(6, java.util.concurrent.TimeUnit.SECONDS);
        client.runScheduledPendingTasks();

        assertThat(reads.reads).as("production reads again").isEqualTo(afterConnect + 1);
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isEqualTo(1);
        client.writeInbound(chunk("two"));
        assertThat(drain(connector.channelsTo(PRODUCTION).get(0))).isEqualTo("onetwo");
        client.close();
    }

    @Test
    void a_small_read_in_a_large_buffer_is_held_for_the_clone_in_a_buffer_of_its_own_size() {
        connector.set(CLONE_A, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        EmbeddedChannel client = client(ctx, new ReadCounter());
        ByteBuf big = Unpooled.buffer(64 * 1024).writeBytes("tiny".getBytes(StandardCharsets.US_ASCII));
        sent.add(big);
        client.writeInbound(big);
        assertThat(drain(connector.channelsTo(PRODUCTION).get(0))).isEqualTo("tiny");
        assertThat(big.refCnt()).as("production's copy is not pinned by the waiting clone").isZero();

        EmbeddedChannel a = connector.channelsTo(CLONE_A).get(0);
        connector.accept(a);
        ByteBuf atClone = a.readOutbound();
        assertThat(atClone.capacity()).isLessThan(1024);
        assertThat(atClone.toString(StandardCharsets.US_ASCII)).isEqualTo("tiny");
        atClone.release();
        client.close();
    }

    @Test
    void overflowing_the_connection_budget_drops_the_whole_clone_connection_never_a_hole() {
        connector.set(CLONE_A, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A))
                .withBudgets(ByteSize.ofBytes(16), ByteSize.ofBytes(1024)));
        EmbeddedChannel client = client(ctx, new ReadCounter());

        client.writeInbound(chunk("0123456789"));
        client.writeInbound(chunk("abcdefghij"));
        client.writeInbound(chunk("after"));

        EmbeddedChannel a = connector.channelsTo(CLONE_A).get(0);
        assertThat(a.isOpen()).as("clone connection dropped").isFalse();
        assertThat(a.outboundMessages()).as("clone got nothing partial").isEmpty();
        assertThat(drain(connector.channelsTo(PRODUCTION).get(0))).isEqualTo("0123456789abcdefghijafter");
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isEqualTo(1);
        assertThat(Scrape.value(registry, "parikshan_proxy_to_clone_dropped_bytes_total", "a")).isEqualTo(25);
        assertThat(Scrape.value(registry, "parikshan_buffer_lag_bytes", "a")).isZero();
        client.close();
    }

    @Test
    void the_global_budget_is_shared_by_all_connections() {
        connector.set(CLONE_A, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A))
                .withBudgets(ByteSize.ofBytes(16), ByteSize.ofBytes(24)));
        EmbeddedChannel first = client(ctx, new ReadCounter());
        EmbeddedChannel second = client(ctx, new ReadCounter());

        first.writeInbound(chunk("0123456789ab"));   // 12 of 24
        second.writeInbound(chunk("0123456789abcd")); // 12 + 14 > 24

        List<EmbeddedChannel> clones = connector.channelsTo(CLONE_A);
        assertThat(clones.get(0).isOpen()).isTrue();
        assertThat(clones.get(1).isOpen()).isFalse();
        assertThat(budget.used()).isEqualTo(12);
        assertThat(Scrape.value(registry, "parikshan_buffer_used_bytes", null)).isEqualTo(12);
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isEqualTo(1);

        connector.accept(clones.get(0));
        assertThat(drain(clones.get(0))).isEqualTo("0123456789ab");
        connector.channelsTo(PRODUCTION).forEach(ClientConnectionHandlerTest::drain);
        first.close();
        second.close();
    }

    @Test
    void a_refused_clone_is_counted_and_production_carries_on() {
        connector.set(CLONE_A, FakeConnector.Outcome.REFUSE);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        EmbeddedChannel client = client(ctx, new ReadCounter());

        client.writeInbound(chunk("hello"));

        assertThat(drain(connector.channelsTo(PRODUCTION).get(0))).isEqualTo("hello");
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isEqualTo(1);
        assertThat(Scrape.value(registry, "parikshan_proxy_to_clone_dropped_bytes_total", "a")).isEqualTo(5);
        assertThat(client.isOpen()).isTrue();
        client.close();
    }

    @Test
    void unreachable_production_closes_the_client_and_opens_no_clone_connection() {
        connector.set(PRODUCTION, FakeConnector.Outcome.REFUSE);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        EmbeddedChannel client = client(ctx, new ReadCounter());

        assertThat(client.isOpen()).isFalse();
        assertThat(connector.channelsTo(CLONE_A)).isEmpty();
        assertThat(Scrape.value(registry, "parikshan_production_connect_failures_total", null)).isEqualTo(1);
        assertThat(Scrape.value(registry, "parikshan_proxy_active_connections", null)).isZero();
    }

    @Test
    void removing_a_clone_closes_its_connections_without_counting_a_desync_and_replacement_gets_new_connections() {
        connector.set(CLONE_A, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        EmbeddedChannel first = client(ctx, new ReadCounter());
        first.writeInbound(chunk("held"));

        routes.replace("a", new CloneTarget("b", CLONE_B));
        first.runPendingTasks();
        first.writeInbound(chunk("more"));

        assertThat(connector.channelsTo(CLONE_A).get(0).isOpen()).isFalse();
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isZero();
        assertThat(Scrape.value(registry, "parikshan_buffer_lag_bytes", "a")).as("gone from the lag gauge").isZero();
        assertThat(connector.channelsTo(CLONE_B)).as("an open connection is never fed to a new clone mid-stream").isEmpty();

        EmbeddedChannel second = client(ctx, new ReadCounter());
        second.writeInbound(chunk("fresh"));
        assertThat(drain(connector.channelsTo(CLONE_B).get(0))).isEqualTo("fresh");
        assertThat(routes.current()).extracting(CloneRoute::cloneName).containsExactly("b");
        connector.channelsTo(PRODUCTION).forEach(ClientConnectionHandlerTest::drain);
        first.close();
        second.close();
    }

    @Test
    void sampling_decides_per_connection() {
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)).withSampleRate(1e-9));
        for (int i = 0; i < 50; i++) {
            client(ctx, new ReadCounter()).close();
        }
        assertThat(connector.channelsTo(PRODUCTION)).hasSize(50);
        assertThat(connector.channelsTo(CLONE_A)).isEmpty();
    }

    @Test
    void a_clone_that_closes_by_itself_and_then_misses_bytes_is_counted_desynced() {
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        EmbeddedChannel client = client(ctx, new ReadCounter());
        client.writeInbound(chunk("first"));
        EmbeddedChannel a = connector.channelsTo(CLONE_A).get(0);
        assertThat(drain(a)).isEqualTo("first");

        a.close();
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isZero();
        client.writeInbound(chunk("second"));
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isEqualTo(1);
        assertThat(Scrape.value(registry, "parikshan_proxy_to_clone_dropped_bytes_total", "a")).isEqualTo(6);
        assertThat(drain(connector.channelsTo(PRODUCTION).get(0))).isEqualTo("firstsecond");
        client.close();
    }

    @Test
    void bytes_and_fin_read_before_production_accepted_reach_production_and_clone_whole_and_in_order() {
        // the epoll transport reads a half-closed socket to its end even with AUTO_READ off
        connector.set(PRODUCTION, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        EmbeddedChannel client = client(ctx, new ReadCounter());
        client.writeInbound(chunk("early "));
        client.writeInbound(chunk("bytes"));
        client.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);

        EmbeddedChannel production = connector.channelsTo(PRODUCTION).get(0);
        assertThat(drain(production)).as("held until production accepted").isEmpty();
        assertThat(connector.channelsTo(CLONE_A)).as("the clone connects after production").isEmpty();

        connector.accept(production);
        EmbeddedChannel a = connector.channelsTo(CLONE_A).get(0);
        assertThat(drain(production)).isEqualTo("early bytes");
        assertThat(drain(a)).as("the clone's stream has no hole").isEqualTo("early bytes");
        assertThat(a.isOpen()).as("FIN passed on after the bytes (an in-memory channel closes)").isFalse();
        assertThat(Scrape.value(registry, "parikshan_proxy_to_production_bytes_total", null)).isEqualTo(11);
        assertThat(Scrape.value(registry, "parikshan_proxy_to_clone_bytes_total", "a")).isEqualTo(11);
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isZero();
        client.close();
    }

    @Test
    void a_client_gone_before_production_accepted_still_has_its_bytes_passed_on_then_production_closed() {
        connector.set(PRODUCTION, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        EmbeddedChannel client = client(ctx, new ReadCounter());
        client.writeInbound(chunk("fire and forget"));
        client.close();

        EmbeddedChannel production = connector.channelsTo(PRODUCTION).get(0);
        connector.accept(production);
        assertThat(drain(production)).isEqualTo("fire and forget");
        assertThat(production.isOpen()).isFalse();
        assertThat(drain(connector.channelsTo(CLONE_A).get(0))).isEqualTo("fire and forget");
        assertThat(Scrape.value(registry, "parikshan_proxy_active_connections", null)).isZero();
    }

    @Test
    void early_bytes_are_released_when_production_cannot_be_reached() {
        connector.set(PRODUCTION, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)));
        EmbeddedChannel client = client(ctx, new ReadCounter());
        client.writeInbound(chunk("lost"));
        EmbeddedChannel production = connector.channelsTo(PRODUCTION).get(0);
        ((io.netty.channel.ChannelPromise) connector.opened.get(0).future()).setFailure(new java.net.ConnectException("refused"));
        assertThat(client.isOpen()).as("the client is reset").isFalse();
        assertThat(drain(production)).isEmpty();
        assertThat(connector.channelsTo(CLONE_A)).isEmpty();
    }

    @Test
    void sync_strategy_without_a_duplicated_clone_keeps_the_pull_loop_going() {
        ProxyContext ctx = context(config().withStrategy(DuplicationStrategy.SYNC));
        ReadCounter reads = new ReadCounter();
        EmbeddedChannel client = client(ctx, reads);
        int afterConnect = reads.reads;
        client.writeInbound(chunk("one"));
        client.writeInbound(chunk("two"));
        assertThat(reads.reads).isEqualTo(afterConnect + 2);
        assertThat(drain(connector.channelsTo(PRODUCTION).get(0))).isEqualTo("onetwo");
        client.close();
    }

    @Test
    void a_chunk_delivered_unasked_while_the_previous_is_on_its_way_waits_its_turn() {
        // epoll delivers a half-closed client's last chunks unasked: the sync pacing must still hold
        connector.set(CLONE_A, FakeConnector.Outcome.HANG);
        ProxyContext ctx = context(config(new CloneTarget("a", CLONE_A)).withStrategy(DuplicationStrategy.SYNC));
        EmbeddedChannel client = client(ctx, new ReadCounter());
        EmbeddedChannel production = connector.channelsTo(PRODUCTION).get(0);
        client.writeInbound(chunk("one"));
        client.writeInbound(chunk("two"));
        client.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
        assertThat(drain(production)).as("two waits for the clone to take one").isEqualTo("one");
        assertThat(production.isOpen()).as("no FIN before two").isTrue();

        EmbeddedChannel a = connector.channelsTo(CLONE_A).get(0);
        connector.accept(a);
        assertThat(drain(production)).isEqualTo("two");
        assertThat(drain(a)).isEqualTo("onetwo");
        assertThat(production.isOpen()).as("FIN after two (an in-memory channel closes)").isFalse();
        assertThat(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "a")).isZero();
        client.close();
    }
}
