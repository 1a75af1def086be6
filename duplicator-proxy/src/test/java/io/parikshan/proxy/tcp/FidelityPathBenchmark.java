package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.fidelity.FidelityLedger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CPU of comparing one HTTP exchange (what the fidelity comparison adds per request): the
 * client's request, production's answer and the clone's answer of one keep-alive connection
 * through {@link ConnectionComparison}, the way the handlers feed it. Not a test: run with
 * {@code duplicator-proxy/bench/jmh.sh FidelityPathBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FidelityPathBenchmark {

    @Param({"auto", "auto-rules", "tcp"})
    public String compare;

    private ConnectionComparison comparison;
    private byte[] request;
    private byte[] answer;

    @Setup(Level.Trial)
    public void setUp() {
        FidelityConfig config = switch (compare) {
            case "tcp" -> FidelityConfig.of(CompareMode.TCP);
            case "auto-rules" -> FidelityConfig.parse("auto", List.of("X-Request-Id"), List.of("meta.id"),
                    List.of("[0-9]{10}\\.[0-9]{3}"), false);
            default -> FidelityConfig.of(CompareMode.AUTO);
        };
        comparison = new ConnectionComparison(config, ImmediateEventExecutor.INSTANCE, new BufferBudget(1L << 30), 4 << 20,
                "127.0.0.1:1", List.of(new FidelityLedger("clone", config.mode(), 32, null)));
        request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        String body = "x".repeat(612);
        answer = ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sat, 21 Nov 2026 13:57:33 GMT\r\n"
                + "Content-Type: text/html\r\nContent-Length: 612\r\nLast-Modified: Sat, 21 Nov 2026 13:50:00 GMT\r\n"
                + "Connection: keep-alive\r\nETag: \"6550a3b0-264\"\r\nAccept-Ranges: bytes\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        comparison.productionEnded();
        comparison.side(0).ended();
    }

    private ByteBuf buf(byte[] b) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(b.length).writeBytes(b);
    }

    @Benchmark
    public boolean oneExchange() {
        comparison.clientBytes(buf(request));
        comparison.productionAnswer(buf(answer));
        comparison.side(0).answer(buf(answer));
        return comparison.active();
    }
}
