package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parikshan.proxy.ByteSize;
import io.parikshan.proxy.CloneRoutes;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.metrics.DuplicatorMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JMH: cost per client chunk of the duplicator's buffer path (read, retained duplicates into each
 * clone feed with budget accounting, write to production and clones, completion accounting),
 * in memory, against 0, 1 or 2 clones that keep up, or 1 stalled clone (whose feed was dropped).
 * Not a test; run with duplicator-proxy/bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DuplicationPathBenchmark {

    @Param({"0", "1", "2", "stalled"})
    public String clones;

    @Param({"128", "16384"})
    public int chunkBytes;

    private EmbeddedChannel client;
    private final List<EmbeddedChannel> outbound = new ArrayList<>();
    private ByteBuf chunk;

    @Setup
    public void setUp() {
        HostPort production = HostPort.parse("127.0.0.1:1");
        FakeConnector connector = new FakeConnector();
        List<CloneTarget> targets = new ArrayList<>();
        int n = clones.equals("stalled") ? 1 : Integer.parseInt(clones);
        for (int i = 0; i < n; i++) {
            HostPort at = new HostPort("127.0.0.1", 2 + i);
            targets.add(new CloneTarget("c" + i, at));
            if (clones.equals("stalled")) {
                connector.set(at, FakeConnector.Outcome.HANG);
            }
        }
        DuplicatorConfig config = DuplicatorConfig.of(HostPort.parse("127.0.0.1:0"), production, targets)
                .withBudgets(ByteSize.ofMebibytes(1), ByteSize.ofMebibytes(64));
        BufferBudget budget = new BufferBudget(config.globalBudget().bytes());
        CloneRoutes[] holder = new CloneRoutes[1];
        DuplicatorMetrics metrics = new DuplicatorMetrics(new PrometheusRegistry(), () -> holder[0].current(),
                () -> new long[] {budget.used(), budget.limit()});
        holder[0] = new CloneRoutes(metrics);
        targets.forEach(holder[0]::add);
        client = new EmbeddedChannel(new ClientConnectionHandler(new ProxyContext(config, connector, holder[0], budget, metrics)));
        connector.opened.forEach(o -> outbound.add(o.channel()));
        chunk = PooledByteBufAllocator.DEFAULT.directBuffer(chunkBytes).writeZero(chunkBytes);
    }

    @Benchmark
    public void chunk() {
        client.writeInbound(chunk.retainedDuplicate());
        for (EmbeddedChannel ch : outbound) {
            Object msg;
            while ((msg = ch.readOutbound()) != null) {
                ((ByteBuf) msg).release();
            }
        }
    }

    @TearDown
    public void tearDown() {
        client.close();
        chunk.release();
    }
}
