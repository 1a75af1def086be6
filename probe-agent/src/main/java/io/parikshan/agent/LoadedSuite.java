package io.parikshan.agent;

import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeRun;
import io.parikshan.dsl.ProbeSuite;
import io.parikshan.dsl.ProbeTest;

import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A suite installed in this JVM: its probes, the sites they were woven into, the daemon workers its
 * tests run on, and the runs recorded so far.
 *
 * <p>Test runs are synchronous with a bound: the application thread that hit the probe waits for the
 * test (so the test sees the call's state as the thread left it) but never longer than the probe's
 * time limit; past it the run is recorded as a timeout, the worker is interrupted and the
 * application goes on. With every worker of the suite busy, a run is skipped at once.
 */
final class LoadedSuite {

    static final int MAX_WORKERS = 4;
    private static final int KEPT_RUNS = 10_000;
    private static final int MESSAGE_CHARS = 1_000;

    private final String name;
    private final ProbeSuite suite;
    private final Path jar;
    private final URLClassLoader loader;
    private final RunSink sink;
    private final ProbeMetrics metrics;
    private final List<ActiveProbe> probes;
    private final Map<String, ProbeSite> sites = new ConcurrentHashMap<>();
    private final Set<String> instrumentedTypes = ConcurrentHashMap.newKeySet();
    private final List<String> errors = new ArrayList<>();
    private final ThreadPoolExecutor workers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ArrayDeque<ProbeRun> runs = new ArrayDeque<>();
    private final EnumMap<Outcome, LongAdder> totals = new EnumMap<>(Outcome.class);

    LoadedSuite(ProbeSuite suite, Path jar, URLClassLoader loader, RunSink sink, ProbeMetrics metrics) {
        this.name = suite.name();
        if (name == null || !name.matches("[A-Za-z0-9_.:-]+")) {
            throw new IllegalArgumentException("suite name '" + name + "' of " + suite.getClass().getName()
                    + " must be letters, digits, '_', '.', ':' or '-'");
        }
        this.suite = suite;
        this.jar = jar;
        this.loader = loader;
        this.sink = sink;
        this.metrics = metrics;
        List<Probe> declared = suite.probes();
        if (declared == null || declared.isEmpty()) {
            throw new IllegalArgumentException("suite '" + name + "' declares no probes");
        }
        Set<String> names = new HashSet<>();
        List<ActiveProbe> active = new ArrayList<>();
        for (Probe p : declared) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("suite '" + name + "' declares probe '" + p.name() + "' twice");
            }
            active.add(new ActiveProbe(this, p));
        }
        this.probes = List.copyOf(active);
        for (Outcome o : Outcome.values()) {
            totals.put(o, new LongAdder());
        }
        // A short queue, not a hand-off: a worker that just finished may not be polling yet on a
        // busy host, and a hand-off would then skip runs although no worker is stuck.
        this.workers = new ThreadPoolExecutor(MAX_WORKERS, MAX_WORKERS, 10, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_WORKERS * 4), ProbeWorker.factory("parikshan-probe-" + name));
        this.workers.allowCoreThreadTimeOut(true);
    }

    String name() {
        return name;
    }

    ProbeSuite suite() {
        return suite;
    }

    Path jar() {
        return jar;
    }

    URLClassLoader loader() {
        return loader;
    }

    List<ActiveProbe> probes() {
        return probes;
    }

    ProbeMetrics metrics() {
        return metrics;
    }

    ProbeSite site(String site) {
        return sites.get(site);
    }

    /** Called while a type is transformed: these sites now carry this suite's advice. */
    void register(String typeName, Map<String, List<ActiveProbe>> bySite) {
        instrumentedTypes.add(typeName);
        bySite.forEach((site, ps) -> sites.put(site, new ProbeSite(ps)));
    }

    int instrumentedMethods() {
        return sites.size();
    }

    int instrumentedTypes() {
        return instrumentedTypes.size();
    }

    synchronized void error(String message) {
        if (errors.size() < 20) {
            errors.add(message);
        }
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    long total(Outcome o) {
        return totals.get(o).sum();
    }

    synchronized List<ProbeRun> runs() {
        return List.copyOf(runs);
    }

    /** Waits (bounded) until no test of this suite is running. */
    void awaitIdle(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void shutdown() {
        sites.clear();
        workers.shutdownNow();
    }

    void recordConditionError(ActiveProbe probe, Invocation inv, Throwable t) {
        record(probe, "(condition)", inv, Outcome.ERROR, "condition threw " + describe(t), 0, inv.typeName() + "."
                + inv.methodName());
    }

    /** Runs each test of the probe for this hit; returns within the tests' time limits. */
    void runTests(ActiveProbe probe, Invocation inv) {
        for (ProbeTest test : probe.probe().tests()) {
            runTest(probe, test, inv);
        }
    }

    private void runTest(ActiveProbe probe, ProbeTest test, Invocation inv) {
        AtomicBoolean recorded = new AtomicBoolean();
        AtomicReference<String> context = new AtomicReference<>(inv.typeName() + "." + inv.methodName());
        long limit = probe.probe().timeLimit().toNanos();
        Future<?> run;
        inFlight.incrementAndGet();
        try {
            run = workers.submit(() -> {
                try {
                    context.set(inv.summary());
                    long start = System.nanoTime();
                    Outcome outcome = Outcome.PASS;
                    String message = "";
                    try {
                        test.body().run(inv);
                    } catch (AssertionError e) {
                        outcome = Outcome.FAIL;
                        message = describe(e);
                    } catch (Throwable e) {
                        outcome = Outcome.ERROR;
                        message = describe(e);
                    }
                    if (recorded.compareAndSet(false, true)) {
                        record(probe, test.name(), inv, outcome, message, System.nanoTime() - start, context.get());
                    }
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            record(probe, test.name(), inv, Outcome.SKIPPED, "no free probe worker: all " + MAX_WORKERS
                    + " of suite '" + name + "' are busy (tests that ignore interrupts after a timeout?)", 0,
                    context.get());
            return;
        }
        try {
            run.get(limit, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (recorded.compareAndSet(false, true)) {
                record(probe, test.name(), inv, Outcome.TIMEOUT, "did not finish within the time limit of "
                        + probe.probe().timeLimit() + "; interrupted", limit, context.get());
            }
            run.cancel(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // The task catches everything itself; nothing reaches the application.
        }
    }

    private void record(ActiveProbe probe, String test, Invocation inv, Outcome outcome, String message,
                        long nanos, String context) {
        ProbeRun r = new ProbeRun(name, probe.name(), test, inv.phase(), outcome, message, nanos, context,
                Instant.now());
        totals.get(outcome).increment();
        synchronized (this) {
            if (runs.size() == KEPT_RUNS) {
                runs.removeFirst();
            }
            runs.addLast(r);
        }
        metrics.run(r);
        sink.record(r);
    }

    static String describe(Throwable t) {
        String msg = t.getMessage();
        String s = t instanceof AssertionError && msg != null ? msg : t.getClass().getName() + (msg == null ? "" : ": " + msg);
        return s.length() > MESSAGE_CHARS ? s.substring(0, MESSAGE_CHARS) + "..." : s;
    }
}
