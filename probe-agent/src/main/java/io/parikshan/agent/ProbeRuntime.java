package io.parikshan.agent;

import io.parikshan.agent.boot.ProbeDispatcher;
import io.parikshan.agent.boot.ProbeHandler;
import io.parikshan.contract.Contract;
import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.Phase;
import io.parikshan.dsl.ProbeSuite;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent's state in this JVM (one per JVM, kept across re-attaches): loaded suites, their
 * transformers, results and metrics. Receives every probe-point hit from {@link ProbeDispatcher}.
 */
final class ProbeRuntime implements ProbeHandler {

    private static ProbeRuntime instance;

    private final Instrumentation inst;
    private final Path dir;
    private final Map<String, LoadedSuite> suites = new ConcurrentHashMap<>();
    private final Map<String, ResettableClassFileTransformer> transformers = new ConcurrentHashMap<>();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ProbeMetrics metrics;
    private final RunSink log;
    private MetricsEndpoint metricsServer;

    private ProbeRuntime(Instrumentation inst, Path dir) {
        this.inst = inst;
        this.dir = dir;
        this.metrics = new ProbeMetrics(registry, suites::values);
        this.log = dir == null ? RunSink.NONE : new JsonLinesLog(dir.resolve(Contract.RESULTS_FILE));
        if (dir != null) {
            ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(
                    ProbeWorker.factory("parikshan-probe-reporter"));
            reporter.scheduleWithFixedDelay(this::writeReportsQuietly, 2, 2, TimeUnit.SECONDS);
        }
    }

    /** The runtime of this JVM, created on first use; {@code dir} (null: in memory only) counts only then. */
    static synchronized ProbeRuntime get(Instrumentation inst, Path dir) {
        if (instance == null) {
            instance = new ProbeRuntime(inst, dir);
            ProbeDispatcher.install(instance);
        }
        return instance;
    }

    Path dir() {
        return dir;
    }

    PrometheusRegistry registry() {
        return registry;
    }

    Instrumentation instrumentation() {
        return inst;
    }

    Collection<LoadedSuite> suites() {
        return List.copyOf(suites.values());
    }

    @Override
    public long enter(String suite, String site, Object self, Object[] args) {
        LoadedSuite s = suites.get(suite);
        ProbeSite at = s == null ? null : s.site(site);
        if (at == null || Thread.currentThread() instanceof ProbeWorker) {
            return 0L;
        }
        if (at.atEntry()) {
            for (ActiveProbe p : at.probes()) {
                if (p.firesAt(Phase.ENTRY)) {
                    p.hit(Phase.ENTRY, site, self, args, null, null, 0L);
                }
            }
        }
        // Read the clock only when an exit probe of this site may still run (the clock costs tens of ns).
        return at.liveAtExit() ? System.nanoTime() : 0L;
    }

    @Override
    public void exit(String suite, String site, Object self, Object[] args, Object returned, Throwable thrown,
                     long start) {
        if (start == 0L) {
            return;
        }
        LoadedSuite s = suites.get(suite);
        ProbeSite at = s == null ? null : s.site(site);
        if (at == null) {
            return;
        }
        Phase phase = thrown == null ? Phase.EXIT : Phase.EXCEPTION;
        for (ActiveProbe p : at.probes()) {
            if (p.firesAt(phase)) {
                p.hit(phase, site, self, args, returned, thrown, start);
            }
        }
    }

    /** Installs a suite's probes; the suite's tests start running at the next hit. */
    synchronized LoadedSuite load(ProbeSuite suite, Path jar, URLClassLoader loader) {
        LoadedSuite s = new LoadedSuite(suite, jar, loader, log, metrics);
        if (suites.containsKey(s.name())) {
            throw new IllegalStateException("suite '" + s.name() + "' is already loaded: unload it first");
        }
        suites.put(s.name(), s);
        try {
            transformers.put(s.name(), ProbeInstaller.install(inst, s));
        } catch (RuntimeException | LinkageError e) {
            suites.remove(s.name());
            s.shutdown();
            throw e;
        }
        return s;
    }

    /** Stops a suite's probes firing, restores the original class bytes and writes its final report. */
    synchronized LoadedSuite unload(String name) {
        LoadedSuite s = suites.remove(name);
        if (s == null) {
            throw new IllegalArgumentException("no suite named '" + name + "' is loaded; loaded: " + suites.keySet());
        }
        ResettableClassFileTransformer t = transformers.remove(name);
        if (t != null) {
            t.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }
        s.shutdown();
        if (s.loader() != null && suites.values().stream().noneMatch(o -> o.loader() == s.loader())) {
            try {
                s.loader().close();
            } catch (IOException ignored) {
                // The jar stays open until the JVM exits; nothing else to do.
            }
        }
        writeReportsQuietly(s);
        return s;
    }

    /** Writes JUnit XML reports of every loaded suite and a text snapshot of the metrics. */
    synchronized void writeReports() throws IOException {
        if (dir == null) {
            return;
        }
        for (LoadedSuite s : suites.values()) {
            JUnitXmlReport.write(dir.resolve(Contract.JUNIT_DIR), s.name(), s.runs());
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + Contract.METRICS_FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        }
        Files.move(tmp, dir.resolve(Contract.METRICS_FILE), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private void writeReportsQuietly() {
        try {
            writeReports();
        } catch (Throwable ignored) {
            // Reports are best effort; the next round retries.
        }
    }

    private void writeReportsQuietly(LoadedSuite s) {
        if (dir == null) {
            return;
        }
        try {
            JUnitXmlReport.write(dir.resolve(Contract.JUNIT_DIR), s.name(), s.runs());
        } catch (IOException ignored) {
            // Best effort, as above.
        }
    }

    /** Serves /metrics on {@code port} (all interfaces of the clone: the host scrapes in). */
    synchronized int serveMetrics(String host, int port) throws IOException {
        if (metricsServer == null) {
            metricsServer = MetricsEndpoint.start(registry, host, port);
        }
        return metricsServer.port();
    }

    /** One line per loaded suite, for {@code parikshan probe list}. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (LoadedSuite s : suites()) {
            StringBuilder b = new StringBuilder("suite ").append(s.name())
                    .append(" probes=").append(s.probes().size())
                    .append(" types=").append(s.instrumentedTypes())
                    .append(" methods=").append(s.instrumentedMethods());
            for (Outcome o : Outcome.values()) {
                b.append(' ').append(o.label()).append('=').append(s.total(o));
            }
            b.append(" jar=").append(s.jar() == null ? "-" : s.jar());
            lines.add(b.toString());
            for (String e : s.errors()) {
                lines.add("  warning " + e);
            }
        }
        return lines;
    }
}
