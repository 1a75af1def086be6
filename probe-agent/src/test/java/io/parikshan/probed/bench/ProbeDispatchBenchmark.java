package io.parikshan.probed.bench;

import io.parikshan.agent.LocalDiagnosis;
import io.parikshan.agent.LocalRuntime;
import io.parikshan.dsl.spi.LocalProbeRuntime;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cost of probe dispatch, side by side in one JVM: the same tiny method uninstrumented, carrying a
 * probe whose condition is false, carrying a probe whose run limit is used up, and under a watch
 * diagnosis whose {@code --when} is false. Run with
 * probe-agent/bench/run.sh; figures in docs/probe-benchmark.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"})
@State(Scope.Benchmark)
public class ProbeDispatchBenchmark {

    private final PlainCalculator plain = new PlainCalculator();
    private final ProbedCalculator probed = new ProbedCalculator();
    private final ExhaustedCalculator exhausted = new ExhaustedCalculator();
    private final WatchedCalculator watched = new WatchedCalculator();
    private LocalProbeRuntime.Session session;
    private LocalDiagnosis watch;
    private int a = 17;
    private int b = 25;

    @Setup(Level.Trial)
    public void loadSuite() {
        session = new LocalRuntime().load(new DispatchSuite());
        exhausted.add(1, 2); // uses up the single allowed run
        if (session.runs(5_000).size() != 1) {
            throw new IllegalStateException("expected exactly one run, got " + session.runs(0));
        }
        try {
            watch = LocalDiagnosis.start("watch", Map.of("method", WatchedCalculator.class.getName() + "::add",
                    "when", WHEN, "timeoutMillis", "3600000"), Files.createTempDirectory("pk-bench-watch"));
            watched.add(1, 2); // the first call hands its values to the compiler (off this thread)
            Thread.sleep(500);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the watch: " + e.getMessage(), e);
        }
    }

    /** False for every call of the benchmark. */
    static final String WHEN = System.getProperty("pk.bench.when", "params[0] < 0");

    @TearDown(Level.Trial)
    public void unloadSuite() {
        if (session.runs(0).size() != 1) {
            throw new IllegalStateException("probes ran during the benchmark: " + session.runs(0).size());
        }
        session.close();
        try {
            if (watch.events().stream().anyMatch(e -> e.contains("\"event\":\"call\"") || e.contains("\"event\":\"error\""))) {
                throw new IllegalStateException("the watch saw calls or failed: " + watch.events());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> end = watch.end();
        System.err.println("watch --when '" + WHEN + "': " + end);
        if (!end.contains("when compiled")) {
            throw new IllegalStateException("the --when expression was not compiled: " + end);
        }
    }

    @Benchmark
    public int uninstrumented() {
        return plain.add(a, b);
    }

    @Benchmark
    public int probeConditionFalse() {
        return probed.add(a, b);
    }

    @Benchmark
    public int watchWhenFalse() {
        return watched.add(a, b);
    }

    @Benchmark
    public int probeLimitExhausted() {
        return exhausted.add(a, b);
    }
}
