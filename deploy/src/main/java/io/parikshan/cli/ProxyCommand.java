package io.parikshan.cli;

import io.parikshan.proxy.Duplicator;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.tcp.TrafficDuplicator;
import io.parikshan.proxy.fidelity.CloneFidelity;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.fidelity.FidelitySnapshot;
import io.parikshan.proxy.udp.UdpDuplicator;
import io.parikshan.session.HttpEndpoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code parikshan proxy}: runs the traffic duplicator in front of production until stopped. */
@Command(name = "proxy",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Proxy client traffic to production and duplicate every client byte to one or more clones "
                + "(their answers are thrown away). A slow or failed clone never slows production "
                + "(except with --strategy sync).",
                "Exit codes: 0 stopped by a signal, 1 could not start, 2 bad input."})
public final class ProxyCommand implements Callable<Integer> {

    /** Counted down by the shutdown hook (a signal) or by {@link #stop()}. */
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    /** The duplicator while the command runs; for tests and embedding. */
    volatile Duplicator running;

    static final int BAD_INPUT = 2;
    static final int CANNOT_START = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Client-facing address to bind.")
    String listen;

    @Option(names = "--production", paramLabel = "HOST:PORT", description = "The production service.")
    String production;

    @Option(names = "--clone", paramLabel = "[NAME=]HOST:PORT",
            description = "A clone to feed; repeat for several. NAME is its metrics label (default: from the address).")
    List<String> clones = new ArrayList<>();

    @Option(names = "--connection-budget", paramLabel = "SIZE",
            description = "Most bytes one connection may hold for one clone, e.g. 4MiB (default).")
    String connectionBudget;

    @Option(names = "--global-budget", paramLabel = "SIZE",
            description = "Most bytes all clone buffers may hold together, e.g. 256MiB (default).")
    String globalBudget;

    @Option(names = "--metrics", paramLabel = "HOST:PORT|off",
            description = "Prometheus endpoint (default " + ProxySettings.DEFAULT_METRICS + ", loopback only).")
    String metrics;

    @Mixin
    DuplicationOptions duplication;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file with the settings under the option names without dashes (keys: "
                    + ProxySettings.CONFIG_KEYS + "); lists comma-separated, e.g. clone=a=H:P,b=H:P; options win. "
                    + "Edits to its clone list are applied while running.")
    Path config;

    @Option(names = "--udp", description = "Duplicate UDP datagrams instead of TCP connections.")
    boolean udp;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Event-loop threads for TCP (default: one per core; 1 can suit a small host with no clone).")
    String ioThreads;

    /** The I/O thread count the option gives, or the default. */
    int ioThreads() {
        if (ioThreads == null) {
            return TrafficDuplicator.DEFAULT_IO_THREADS;
        }
        try {
            int n = Integer.parseInt(ioThreads.strip());
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--io-threads: '" + ioThreads + "' must be a whole number from 1 to 1024");
    }

    /** The settings the options (and config file) describe. */
    ProxySettings settings() {
        return ProxySettings.of(this);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        ProxySettings settings;
        int threads;
        try {
            settings = settings();
            threads = ioThreads();
        } catch (IllegalArgumentException e) {
            err.println("parikshan proxy: " + e.getMessage());
            err.flush();
            return BAD_INPUT;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        Duplicator duplicator;
        try {
            duplicator = settings.udp()
                    ? UdpDuplicator.start(settings.duplicator(), registry)
                    : TrafficDuplicator.start(settings.duplicator(), registry, threads);
        } catch (IllegalStateException e) {
            err.println("parikshan proxy: " + e.getMessage());
            err.flush();
            return CANNOT_START;
        }
        HttpEndpoint metricsServer = null;
        if (settings.metrics().isPresent()) {
            HostPort at = settings.metrics().get();
            try {
                metricsServer = HttpEndpoint.start(at, registry, java.util.Map.of(), "parikshan-proxy-metrics");
            } catch (IOException e) {
                duplicator.close();
                err.println("parikshan proxy: cannot serve metrics on " + at + ": " + e.getMessage()
                        + "; pick a free port with --metrics HOST:PORT or --metrics off");
                err.flush();
                return CANNOT_START;
            }
        }
        FidelityConfig fidelity = settings.duplicator().fidelity();
        out.printf("parikshan proxy: %s %s -> production %s, clones %s, strategy %s%s%s%n",
                settings.udp() ? "udp" : duplicator instanceof TrafficDuplicator t
                        ? "tcp (" + t.transportName() + ")" : "tcp",
                HostPort.of(duplicator.localAddress()),
                settings.duplicator().production(), duplicator.clones(),
                settings.duplicator().strategy().name().toLowerCase(java.util.Locale.ROOT),
                fidelity.enabled() ? ", compare " + fidelity.mode().label() + (fidelity.twoCloneNoise() ? " (clones as noise)" : "") : "",
                metricsServer == null ? "" : ", metrics http://" + settings.metrics().get().host() + ":" + metricsServer.port() + "/metrics");
        out.flush();

        ScheduledExecutorService watcher = config == null ? null : watchConfig(duplicator, err);
        HttpEndpoint serverToStop = metricsServer;
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable shutdown = () -> {
            if (closed.compareAndSet(false, true)) {
                if (watcher != null) {
                    watcher.shutdownNow();
                }
                if (fidelity.enabled()) {
                    printFidelity(duplicator.fidelity(), out);
                }
                duplicator.close();
                if (serverToStop != null) {
                    serverToStop.close();
                }
            }
        };
        Thread hook = new Thread(() -> {
            shutdown.run();
            stopRequested.countDown();
        }, "parikshan-proxy-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        running = duplicator;
        stopRequested.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook); // stopped from inside the JVM (tests, embedding)
        } catch (IllegalStateException jvmShuttingDown) {
            // the hook is closing everything
        }
        shutdown.run();
        running = null;
        return 0;
    }

    /** One line per clone: how faithfully it followed production during the run. */
    static void printFidelity(FidelitySnapshot snapshot, PrintWriter out) {
        for (CloneFidelity c : snapshot.clones()) {
            out.printf("parikshan proxy: clone %s fidelity: %d exchanges compared, %d divergent (ratio %.4f), %d noise, %d comparisons dropped%s%n",
                    c.cloneName(), c.comparedExchanges(), c.divergentExchanges(), c.divergenceRatio(), c.noiseExchanges(),
                    c.droppedTotal(), c.droppedComparisons().isEmpty() ? "" : " " + c.droppedComparisons());
        }
        out.flush();
    }

    /** Stops a running command from inside the JVM, as a signal would. */
    void stop() {
        stopRequested.countDown();
    }

    /** Applies edits of the config file's clone list to the running proxy (re-sync swaps clones this way too). */
    private ScheduledExecutorService watchConfig(Duplicator duplicator, PrintWriter err) {
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parikshan-proxy-config-watch");
            t.setDaemon(true);
            return t;
        });
        FileTime[] seen = {lastModified(config)};
        watcher.scheduleWithFixedDelay(() -> {
            FileTime now = lastModified(config);
            if (now == null || now.equals(seen[0])) {
                return;
            }
            seen[0] = now;
            try {
                duplicator.setClones(settings().duplicator().clones());
                err.println("parikshan proxy: clones now " + duplicator.clones());
            } catch (RuntimeException e) {
                err.println("parikshan proxy: ignored edit of " + config.toAbsolutePath() + ": " + e.getMessage());
            }
            err.flush();
        }, 1, 1, TimeUnit.SECONDS);
        return watcher;
    }

    private static FileTime lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return null;
        }
    }
}
