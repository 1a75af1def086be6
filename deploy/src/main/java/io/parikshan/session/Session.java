package io.parikshan.session;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.parikshan.clone.CloneManager;
import io.parikshan.clone.ClonePhase;
import io.parikshan.clone.CloneProgress;
import io.parikshan.clone.CloneReport;
import io.parikshan.clone.CloneRequest;
import io.parikshan.clone.CloneTeardown;
import io.parikshan.clone.CloneNames;
import io.parikshan.clone.CloneRuntime;
import io.parikshan.clone.DockerEngine;
import io.parikshan.contract.ParikshanException;
import io.parikshan.contract.ProbeAction;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.Duplicator;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HeldClone;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.TrafficDuplicator;
import io.parikshan.proxy.fidelity.CloneFidelity;
import io.parikshan.proxy.udp.UdpDuplicator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One running in-vivo test session: clones of production fed by the duplicator, the probe agent
 * with the users' suites in every clone, one metrics and control endpoint, re-sync, teardown.
 *
 * <pre>{@code
 * try (Session s = Session.start(SessionConfig.of("shop").withPort(8080), engine, stateRoot, agent, out)) {
 *     s.resync(ResyncReason.MANUAL).join();
 *     System.out.println(s.status().line());
 * }
 * }</pre>
 *
 * Production is never changed: clients reach it through the proxy (or directly, before the
 * takeover and after the teardown), clones are made with the live-clone manager, and nothing is
 * ever sent to production that a client did not send.
 */
public final class Session implements AutoCloseable {

    private final SessionConfig config;
    private final DockerEngine engine;
    private final CloneRuntime runtime = new CloneRuntime();
    private final CloneManager cloneManager;
    private final CloneTeardown teardown;
    private final ProbeAgentProcess agent;
    private final PrintWriter out;
    private final ProductionEndpoint endpoint;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final SessionMetrics metrics;
    private final long startedNanos = System.nanoTime();
    private final Path stateRoot;

    /** The clone in each slot (index = slot - 1); replaced by re-sync. Guarded by this. */
    private final LiveClone[] slots;
    /** Probe counts of clones already removed, so the totals only grow. Guarded by this. */
    private final List<SessionMetrics.ProbeSample> retiredProbes = new ArrayList<>();
    private final ExecutorService resyncer;
    private final ScheduledExecutorService monitor;
    private volatile Duplicator proxy;
    private volatile PortTakeover takeover;
    private volatile ControlServer control;
    private volatile SessionFile file;
    private volatile String state = "starting";
    private boolean closed;
    /** Numbers the clones of this session (guarded by this). */
    private int cloneSequence;

    private Session(SessionConfig config, DockerEngine engine, Path stateRoot, ProbeAgentProcess agent,
                    PrintWriter out, ProductionEndpoint endpoint) {
        this.config = config;
        this.engine = engine;
        this.stateRoot = stateRoot;
        this.cloneManager = new CloneManager(engine, stateRoot);
        this.teardown = new CloneTeardown(engine, stateRoot);
        this.agent = agent;
        this.out = out;
        this.endpoint = endpoint;
        this.slots = new LiveClone[config.clones()];
        this.metrics = new SessionMetrics(registry, this::cloneAges, this::probeSamples);
        this.resyncer = Executors.newSingleThreadExecutor(daemon("parikshan-resync"));
        this.monitor = Executors.newSingleThreadScheduledExecutor(daemon("parikshan-session-monitor"));
    }

    /**
     * Starts a session: serves the metrics and control endpoint, starts the proxy in front of
     * production and takes over production's published port when asked, then clones production,
     * loads the probe suites into every clone and lets each clone join the proxy with the
     * connections opened since its checkpoint. On any failure everything made so far is removed.
     *
     * @param agent the probe agent control, or null when no suites are given
     */
    public static Session start(SessionConfig config, DockerEngine engine, Path stateRoot, ProbeAgentProcess agent,
                                PrintWriter out) {
        return start(config, engine, stateRoot, agent, out, s -> { });
    }

    /**
     * As {@link #start(SessionConfig, DockerEngine, Path, ProbeAgentProcess, PrintWriter)}; {@code created}
     * gets the session before its first clone is made, so a signal half-way can close what exists.
     */
    public static Session start(SessionConfig config, DockerEngine engine, Path stateRoot, ProbeAgentProcess agent,
                                PrintWriter out, java.util.function.Consumer<Session> created) {
        if (!config.suites().isEmpty() && agent == null) {
            throw new IllegalArgumentException("probe suites need the probe agent");
        }
        engine.requireReachable();
        ProductionEndpoint endpoint = ProductionEndpoint.resolve(engine, config.production(),
                config.containerPort().orElse(null), config.udp());
        Optional<HostPort> takeoverOf = takeoverTarget(config, endpoint);
        SessionFile.requireNoneRunning(stateRoot, endpoint.container());
        Session s = new Session(config, engine, stateRoot, agent, out, endpoint);
        created.accept(s);
        try {
            s.begin(takeoverOf);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Production's published address when the session takes it over; empty when clients use --listen. */
    private static Optional<HostPort> takeoverTarget(SessionConfig config, ProductionEndpoint endpoint) {
        if (config.listen().isPresent()) {
            HostPort l = config.listen().get();
            boolean isPublished = endpoint.published().map(p -> p.port() == l.port()
                    && (p.host().equals(l.host()) || p.host().equals("0.0.0.0"))).orElse(false);
            return isPublished ? endpoint.published() : Optional.empty();
        }
        return Optional.of(endpoint.published().orElseThrow(() -> new ParikshanException("container '"
                + endpoint.container() + "' does not publish port " + endpoint.containerPort() + (endpoint.udp() ? "/udp" : "")
                + " on the host; give the address clients should use with --listen HOST:PORT")));
    }

    private void begin(Optional<HostPort> takeoverOf) {
        out.printf("parikshan: session for %s, port %d%s (production at %s)%n", endpoint.container(),
                endpoint.containerPort(), endpoint.udp() ? "/udp" : "", endpoint.internal());
        out.flush();
        // the endpoint and the proxy first: a taken port must fail before production is frozen for a clone
        control = ControlServer.start(config.metrics(), registry, this);
        HostPort listen = takeoverOf.map(p -> new HostPort(PortTakeover.needsWildcardListen(p) ? "0.0.0.0" : "127.0.0.1", 0))
                .orElseGet(() -> config.listen().orElseThrow());
        // No clone yet: each one joins when it runs, with the connections opened since its checkpoint.
        DuplicatorConfig dc = DuplicatorConfig.of(listen, endpoint.internal(), List.of())
                .withStrategy(config.strategy()).withSampleRate(config.sampleRate()).withFidelity(config.fidelity());
        Duplicator started;
        try {
            started = endpoint.udp() ? UdpDuplicator.start(dc, registry) : TrafficDuplicator.start(dc, registry);
        } catch (IllegalStateException e) {
            throw new ParikshanException(e.getMessage());
        }
        synchronized (this) {
            if (closed) {
                started.close();
            }
            requireOpen();
            proxy = started;
        }
        HostPort proxyAt = HostPort.of(started.localAddress());
        if (takeoverOf.isPresent()) {
            PortTakeover t = PortTakeover.redirect(endpoint.container(), takeoverOf.get(), proxyAt.port(), endpoint.udp());
            synchronized (this) {
                if (closed) {
                    t.close();
                }
                requireOpen();
                takeover = t;
            }
            out.printf(endpoint.udp()
                    ? "parikshan: new UDP flows to %s now go through the proxy at %s; flows already under way keep "
                    + "talking to production directly until they are idle%n"
                    : "parikshan: new connections to %s now go through the proxy at %s; connections opened "
                    + "before keep talking to production directly%n", takeoverOf.get(), proxyAt);
        } else {
            out.printf("parikshan: proxy listening on %s%n", proxyAt);
        }
        for (int slot = 1; slot <= slots.length; slot++) {
            String name = nextCloneName();
            HeldClone[] held = new HeldClone[1];
            LiveClone c;
            try {
                c = makeClone(slot, "clone " + slot + "/" + slots.length, name, held);
            } catch (RuntimeException e) {
                cancel(held[0]);
                throw e;
            }
            synchronized (this) {
                if (closed) { // a signal ended the session half-way
                    cancel(held[0]);
                    teardown.destroy(c.name());
                }
                requireOpen();
                join(held[0], c, null);
                slots[slot - 1] = c;
            }
        }
        file = SessionFile.write(stateRoot, endpoint.container(), control.url());
        state = "running";
        out.printf("parikshan: metrics %s/metrics, status %s/status; Ctrl-C ends the session%n", control.url(), control.url());
        out.flush();
        monitor.scheduleWithFixedDelay(this::checkClones, 1, 1, TimeUnit.SECONDS);
        if (!config.statusEvery().isZero()) {
            long every = config.statusEvery().toMillis();
            monitor.scheduleWithFixedDelay(this::printStatus, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new ParikshanException("the session was stopped while starting");
        }
    }

    /**
     * Makes a clone for a slot and loads the probe suites into it. The moment production is frozen
     * for its checkpoint, the proxy starts holding new connections for it ({@code held[0]}), so it
     * can join in step with production once the suites are loaded (see {@link #join}).
     */
    private LiveClone makeClone(int slot, String what, String name, HeldClone[] held) {
        out.printf("parikshan: making %s of %s%n", what, endpoint.container());
        out.flush();
        Runnable onFrozen = () -> {
            try {
                held[0] = proxy.hold(name);
            } catch (RuntimeException e) {
                // the clone then joins without the connections opened during its restore
            }
        };
        CloneReport report = cloneManager.clone(new CloneRequest(endpoint.container(), name, List.of()), progress(onFrozen));
        metrics.cloneMade(report.totalMillis(), report.frozenMillis());
        out.printf("parikshan: %s running at %s after %d ms (production frozen %d ms)%n", report.cloneName(),
                report.cloneIp(), report.totalMillis(), report.frozenMillis());
        out.flush();
        long pid = runtime.state(report.cloneName()).map(CloneRuntime.State::pid).orElse(0L);
        LiveClone c = new LiveClone(slot, report, new CloneTarget(report.cloneName(),
                new HostPort(report.cloneIp(), endpoint.containerPort())), System.nanoTime(), pid, desynced(report.cloneName()));
        try {
            loadSuites(c);
        } catch (RuntimeException e) {
            teardown.destroy(report.cloneName());
            throw e;
        }
        return c;
    }

    private void loadSuites(LiveClone c) {
        if (config.suites().isEmpty()) {
            return;
        }
        ProbeAgentProcess.Result attached = agent.run(ProbeAction.ATTACH, c.name(), List.of(), false);
        if (!attached.ok()) {
            throw new ParikshanException("cannot attach the probe agent to " + c.name() + ": " + attached.reason());
        }
        for (Path suite : config.suites()) {
            ProbeAgentProcess.Result loaded = agent.run(ProbeAction.LOAD, c.name(), List.of(suite.toAbsolutePath().toString()), false);
            if (!loaded.ok()) {
                throw new ParikshanException("cannot load probe suite " + suite + " into " + c.name() + ": " + loaded.reason());
            }
            out.printf("parikshan: probe suite %s loaded into %s%n", suite.getFileName(), c.name());
        }
        c.probesLoaded(true);
        out.flush();
    }

    /**
     * A clone name never used before in this session: the proxy's and the agent's series are labelled
     * by clone name, so a re-used name would continue an old clone's counters.
     */
    private synchronized String nextCloneName() {
        while (true) {
            String name = endpoint.container() + "-clone-" + (++cloneSequence);
            if (engine.inspect(name).isEmpty() && runtime.state(name).isEmpty()
                    && !Files.exists(new CloneNames(name, stateRoot).stateDir())) {
                return name;
            }
        }
    }

    private CloneProgress progress(Runnable onFrozen) {
        return new CloneProgress() {
            @Override
            public void productionFrozen() {
                onFrozen.run();
            }

            @Override
            public void finished(ClonePhase phase, Duration took, String detail) {
                out.printf("           %-20s %6d ms  %s%n", phase.label(), took.toMillis(), detail);
                out.flush();
            }
        };
    }

    /**
     * Replaces every clone by a fresh clone of production, one after the other. The proxy swaps each
     * in one step: new client connections feed the new clone, production's connections are untouched.
     */
    public CompletableFuture<List<String>> resync(ResyncReason reason) {
        List<CompletableFuture<String>> each = new ArrayList<>();
        for (int slot = 1; slot <= slots.length; slot++) {
            each.add(resync(slot, reason));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
    }

    /** Replaces the clone of one slot; completes with the new clone's name. */
    public CompletableFuture<String> resync(int slot, ResyncReason reason) {
        LiveClone current = clone(slot);
        current.resyncPending(true);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return replace(slot, reason);
            } finally {
                current.resyncPending(false);
            }
        }, resyncer);
    }

    private String replace(int slot, ResyncReason reason) {
        LiveClone old = clone(slot);
        long t0 = System.nanoTime();
        out.printf("parikshan: re-sync of %s (%s)%n", old.name(), reason.label());
        LiveClone fresh;
        HeldClone[] held = new HeldClone[1];
        try {
            fresh = makeClone(slot, "a fresh clone for slot " + slot, nextCloneName(), held);
        } catch (RuntimeException e) {
            cancel(held[0]);
            metrics.resyncFailed(reason);
            old.lastFailedResyncNanos(System.nanoTime());
            out.printf("parikshan: re-sync of %s failed, it stays: %s%n", old.name(), e.getMessage());
            out.flush();
            throw e;
        }
        synchronized (this) {
            if (closed) {
                cancel(held[0]);
                teardown.destroy(fresh.name());
                throw new ParikshanException("the session ended during the re-sync");
            }
            join(held[0], fresh, old.name());
            slots[slot - 1] = fresh;
        }
        retire(old);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        metrics.resynced(reason, millis / 1000.0);
        out.printf("parikshan: %s replaced by %s: re-sync took %d ms, the clone %d ms, production frozen %d ms (%s)%n",
                old.name(), fresh.name(), millis, fresh.report().totalMillis(), fresh.report().frozenMillis(), reason.label());
        out.flush();
        return fresh.name();
    }

    /**
     * Feeds a clone that runs (and has its suites loaded) from now on, replacing {@code replacing}
     * if not null. A clone that was held for gets first the connections opened since its
     * checkpoint, so it has seen what production has.
     */
    private void join(HeldClone held, LiveClone c, String replacing) {
        if (held != null) {
            held.start(c.target(), replacing);
        } else if (replacing != null) {
            proxy.replaceClone(replacing, c.target());
        } else {
            proxy.addClone(c.target());
        }
    }

    private static void cancel(HeldClone held) {
        if (held != null) {
            held.cancel();
        }
    }

    /** Keeps an old clone's final probe counts, then removes it. */
    private void retire(LiveClone old) {
        ProbeCounts last = ProbeCounts.read(old.pid(), ProbeAgentProcess.DEFAULT_DIR);
        if (last.invocations().isEmpty()) {
            last = old.lastProbes();
        }
        synchronized (this) {
            for (Map.Entry<ProbeCounts.Key, Double> e : last.invocations().entrySet()) {
                retiredProbes.add(new SessionMetrics.ProbeSample(old.name(), e.getKey(), e.getValue()));
            }
        }
        teardown.destroy(old.name());
    }

    /** Once a second: re-sync clones that crashed, desynced too much, or reached their period. */
    private void checkClones() {
        try {
            for (int slot = 1; slot <= slots.length; slot++) {
                LiveClone c = clone(slot);
                c.lastProbes(ProbeCounts.read(c.pid(), ProbeAgentProcess.DEFAULT_DIR).orIfEmpty(c.lastProbes()));
                if (c.resyncPending() || closed) {
                    continue;
                }
                if (c.lastFailedResyncNanos() != 0
                        && System.nanoTime() - c.lastFailedResyncNanos() < config.resyncBackoff().toNanos()) {
                    continue;
                }
                Optional<ResyncReason> why = reasonToResync(c);
                why.ifPresent(r -> resync(c.slot(), r).exceptionally(e -> null));
            }
        } catch (RuntimeException e) {
            out.println("parikshan: clone check failed, retrying: " + e.getMessage());
            out.flush();
        }
    }

    private Optional<ResyncReason> reasonToResync(LiveClone c) {
        if (!runtime.state(c.name()).map(CloneRuntime.State::running).orElse(false)) {
            return Optional.of(ResyncReason.CRASHED);
        }
        if (config.resyncAfterDesyncs() > 0 && desynced(c.name()) - c.desyncedAtStart() >= config.resyncAfterDesyncs()) {
            return Optional.of(ResyncReason.DESYNCED);
        }
        if (config.resyncOnDivergence().isPresent()) {
            // the proxy restarts a clone's record when it is replaced: the ratio is the current clone's
            Optional<CloneFidelity> f = proxy.fidelity().clone(c.name());
            if (f.isPresent() && f.get().comparedExchanges() >= SessionConfig.DIVERGENCE_MIN_EXCHANGES
                    && f.get().divergenceRatio() >= config.resyncOnDivergence().get()) {
                return Optional.of(ResyncReason.DIVERGENT);
            }
        }
        if (config.resyncEvery().isPresent() && c.age().compareTo(config.resyncEvery().get()) >= 0) {
            return Optional.of(ResyncReason.PERIODIC);
        }
        return Optional.empty();
    }

    private long desynced(String clone) {
        return Math.round(MetricValues.scrape(registry).value("parikshan_clone_desynced_connections_total", clone));
    }

    private void printStatus() {
        try {
            out.println(status().line());
            out.flush();
        } catch (RuntimeException e) {
            // the status line is a convenience; the next one will tell
        }
    }

    private synchronized LiveClone clone(int slot) {
        if (slot < 1 || slot > slots.length) {
            throw new ParikshanException("slot " + slot + " does not exist; this session has " + slots.length + " clone(s)");
        }
        return slots[slot - 1];
    }

    private synchronized List<SessionMetrics.CloneAge> cloneAges() {
        List<SessionMetrics.CloneAge> ages = new ArrayList<>();
        for (LiveClone c : slots) {
            if (c != null) {
                ages.add(new SessionMetrics.CloneAge(c.name(), c.age().toMillis() / 1000.0));
            }
        }
        return ages;
    }

    /** Probe counts of every clone of the session, one sample per clone and probe outcome. */
    private synchronized List<SessionMetrics.ProbeSample> probeSamples() {
        Map<String, Map<ProbeCounts.Key, Double>> byClone = new LinkedHashMap<>();
        for (SessionMetrics.ProbeSample p : retiredProbes) {
            byClone.computeIfAbsent(p.cloneName(), k -> new LinkedHashMap<>()).merge(p.key(), p.value(), Double::sum);
        }
        for (LiveClone c : slots) {
            if (c != null) {
                c.lastProbes().invocations().forEach((k, v) ->
                        byClone.computeIfAbsent(c.name(), n -> new LinkedHashMap<>()).merge(k, v, Double::sum));
            }
        }
        List<SessionMetrics.ProbeSample> all = new ArrayList<>();
        byClone.forEach((clone, counts) -> counts.forEach((k, v) -> all.add(new SessionMetrics.ProbeSample(clone, k, v))));
        return all;
    }

    /** The session as {@code parikshan status} shows it. */
    public SessionStatus status() {
        MetricValues m = MetricValues.scrape(registry);
        List<SessionStatus.CloneStatus> clones = new ArrayList<>();
        LiveClone[] now;
        synchronized (this) {
            now = slots.clone();
        }
        for (LiveClone c : now) {
            if (c == null) {
                continue;
            }
            String n = c.name();
            clones.add(new SessionStatus.CloneStatus(c.slot(), n, c.target().address().toString(), c.age().toSeconds(),
                    Math.round(m.value("parikshan_clone_active_connections", n)),
                    Math.round(m.value("parikshan_buffer_lag_bytes", n)), m.value("parikshan_buffer_lag_seconds", n),
                    Math.round(m.value("parikshan_clone_desynced_connections_total", n)),
                    Math.round(m.value("parikshan_proxy_to_clone_bytes_total", n)),
                    Math.round(m.value("parikshan_proxy_to_clone_dropped_bytes_total", n)), c.probesLoaded()));
        }
        Map<String, long[]> perProbe = new LinkedHashMap<>();
        List<String> outcomes = List.of("pass", "fail", "error", "timeout", "skipped");
        long[] totals = new long[outcomes.size()];
        for (SessionMetrics.ProbeSample p : probeSamples()) {
            int i = outcomes.indexOf(p.key().outcome());
            if (i < 0) {
                continue;
            }
            long v = Math.round(p.value());
            totals[i] += v;
            perProbe.computeIfAbsent(p.key().suite() + "\u0000" + p.key().probe(), k -> new long[outcomes.size()])[i] += v;
        }
        List<SessionStatus.ProbeLine> lines = perProbe.entrySet().stream().map(e -> {
            String[] sp = e.getKey().split("\u0000", 2);
            long[] v = e.getValue();
            return new SessionStatus.ProbeLine(sp[0], sp[1], v[0], v[1], v[2], v[3], v[4]);
        }).toList();
        Duplicator p = proxy;
        PortTakeover t = takeover;
        String proxyAt = p == null ? "" : HostPort.of(p.localAddress()).toString();
        String clientAt = t != null ? endpoint.published().map(HostPort::toString).orElse(proxyAt) : proxyAt;
        return new SessionStatus(endpoint.container(), state, clientAt, t != null, proxyAt, endpoint.internal().toString(),
                control == null ? "" : control.url() + "/metrics", ProcessHandle.current().pid(),
                (System.nanoTime() - startedNanos) / 1_000_000_000L,
                Math.round(m.value("parikshan_proxy_active_connections", null)), clones,
                SessionMetrics.counts(registry, "parikshan_resyncs_total"),
                SessionMetrics.counts(registry, "parikshan_resync_failures_total"),
                new SessionStatus.ProbeSummary(totals[0], totals[1], totals[2], totals[3], totals[4], lines),
                p == null || !config.fidelity().enabled() ? List.of() : p.fidelity().clones().stream().map(SessionStatus.FidelityStatus::of).toList());
    }

    /** The registry behind /metrics (proxy, session and probe series). */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The proxy's client-facing address (the published one when taken over). */
    public String clientAddress() {
        return status().clientAddress();
    }

    /** Names of the clones fed right now, by slot. */
    public synchronized List<String> cloneNames() {
        List<String> names = new ArrayList<>();
        for (LiveClone c : slots) {
            if (c != null) {
                names.add(c.name());
            }
        }
        return names;
    }

    public ControlServer control() {
        return control;
    }

    /**
     * Ends the session: new connections go straight to production again, open ones may finish
     * through the proxy for the drain time, then the proxy closes and every clone is removed.
     * Safe to call twice and from a shutdown hook.
     */
    @Override
    public void close() {
        LiveClone[] toRemove;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toRemove = slots.clone();
        }
        state = "stopping";
        monitor.shutdownNow();
        resyncer.shutdownNow();
        try {
            resyncer.awaitTermination(2, TimeUnit.MINUTES); // a re-sync half-way rolls its clone back itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> problems = new ArrayList<>();
        if (takeover != null) {
            run(problems, "removing the port takeover", takeover::close);
        }
        if (proxy != null) {
            Duplicator d = proxy;
            run(problems, "closing the proxy", () -> {
                if (!(d instanceof TrafficDuplicator p)) {
                    d.close(); // datagrams: nothing to drain
                } else if (!p.closeGracefully(config.drain())) {
                    out.printf("parikshan: closed client connections still open after %d s; their clients "
                            + "reconnect to production directly%n", config.drain().toSeconds());
                }
            });
        }
        synchronized (this) {
            toRemove = slots.clone();
        }
        for (LiveClone c : toRemove) {
            if (c != null) {
                run(problems, "removing clone " + c.name(), () -> teardown.destroy(c.name()));
            }
        }
        if (control != null) {
            run(problems, "stopping the metrics endpoint", control::close);
        }
        if (file != null) {
            run(problems, "removing the session file", file::delete);
        }
        state = "stopped";
        if (control == null && proxy == null && Stream.of(toRemove).allMatch(java.util.Objects::isNull)) {
            return; // nothing was started: the caller reports why
        }
        out.println(problems.isEmpty()
                ? "parikshan: session ended; clones removed, production serves its clients directly"
                : "parikshan: session ended with problems: " + String.join("; ", problems));
        out.flush();
    }

    private static void run(List<String> problems, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            problems.add(what + ": " + e.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
