package io.parikshan.session;

import io.parikshan.agent.host.HostFiles;
import io.parikshan.clone.CloneManager;
import io.parikshan.clone.ClonePhase;
import io.parikshan.clone.CloneProgress;
import io.parikshan.clone.CloneReport;
import io.parikshan.clone.CloneRequest;
import io.parikshan.clone.CloneNames;
import io.parikshan.clone.CloneTeardown;
import io.parikshan.clone.CloneRuntime;
import io.parikshan.clone.PortPublication;
import io.parikshan.clone.DockerEngine;
import io.parikshan.contract.ParikshanException;
import io.parikshan.contract.ProbeAction;
import io.parikshan.proxy.CloneStats;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.Duplicator;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.tcp.TrafficDuplicator;
import io.parikshan.proxy.fidelity.CandidateTrial;
import io.parikshan.proxy.fidelity.CloneFidelity;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.udp.UdpDuplicator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
 *
 * <p>The session owns the lifecycle; its parts own the rest: {@link CloneSlots} the clones fed,
 * {@link ResyncPolicy} when one is replaced, {@link StatusAssembler} what {@code status} shows,
 * and a {@link SessionListener} what is printed.
 */
public final class Session implements AutoCloseable {

    private final SessionConfig config;
    private final DockerEngine engine;
    private final CloneRuntime runtime = new CloneRuntime();
    private final CloneManager cloneManager;
    private final CloneTeardown teardown;
    private final ProbeAgentHost agent;
    private final SessionListener listener;
    private final ProductionEndpoint endpoint;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final SessionMetrics metrics;
    private final Path stateRoot;
    private final CloneSlots slots;
    private final ResyncPolicy policy;
    private final StatusAssembler statusAssembler;
    private final ExecutorService resyncer;
    private final ScheduledExecutorService monitor;
    /** With {@code --candidate}: the patch on trial, slot 1 its control, slot 2 its candidate; null otherwise. */
    private final CandidateTrial trial;
    /** The pair re-sync queued or running (candidate sessions replace both clones together). */
    private CompletableFuture<List<String>> pairResync;
    private volatile Duplicator proxy;
    private volatile PortTakeover takeover;
    private volatile ControlServer control;
    private volatile SessionFile file;
    private volatile String state = "starting";
    /** Guarded by this, as is every change of the slots that must not race with a close. */
    private boolean closed;
    /** Numbers the clones of this session (guarded by this). */
    private int cloneSequence;

    /** What the re-sync policy reads of a clone: the runtime's and the proxy's view of it. */
    private final ResyncPolicy.Readings readings = new ResyncPolicy.Readings() {
        @Override
        public boolean running(LiveClone c) {
            return CloneRuntime.of(c.name(), stateRoot).state(c.name()).map(CloneRuntime.State::running).orElse(false);
        }

        @Override
        public long desyncedConnections(LiveClone c) {
            return desynced(c.name());
        }

        @Override
        public Optional<CloneFidelity> fidelity(LiveClone c) {
            // the proxy restarts a clone's record when it is replaced: the ratio is the current clone's
            return proxy.fidelity().clone(c.name());
        }
    };

    private Session(SessionConfig config, DockerEngine engine, Path stateRoot, ProbeAgentHost agent,
                    SessionListener listener, ProductionEndpoint endpoint) {
        this.config = config;
        this.engine = engine;
        this.stateRoot = stateRoot;
        this.cloneManager = new CloneManager(engine, stateRoot);
        this.teardown = new CloneTeardown(engine, stateRoot);
        this.agent = agent;
        this.listener = listener;
        this.endpoint = endpoint;
        this.slots = new CloneSlots(config.clones());
        this.policy = new ResyncPolicy(config);
        this.trial = config.candidateOnTrial() ? new CandidateTrial(FidelityConfig.DEFAULT_LOG_SIZE) : null;
        this.metrics = new SessionMetrics(registry, slots::ages, slots::probeSamples);
        this.statusAssembler = new StatusAssembler(endpoint, config.fidelity().enabled(), System.nanoTime(), slots, metrics,
                config.egress().stream().map(Object::toString).toList(), trial,
                config.candidate().map(Path::toString).orElse(config.candidateImage().map(i -> "image " + i).orElse(null)),
                config.candidateImage().isPresent());
        if (trial != null) {
            CandidateMetrics.register(registry, trial);
        }
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
     * @param out   where the session prints what it does
     */
    public static Session start(SessionConfig config, DockerEngine engine, Path stateRoot, ProbeAgentHost agent,
                                PrintWriter out) {
        return start(config, engine, stateRoot, agent, out, s -> { });
    }

    /**
     * As {@link #start(SessionConfig, DockerEngine, Path, ProbeAgentHost, PrintWriter)}; {@code created}
     * gets the session before its first clone is made, so a signal half-way can close what exists.
     */
    public static Session start(SessionConfig config, DockerEngine engine, Path stateRoot, ProbeAgentHost agent,
                                PrintWriter out, Consumer<Session> created) {
        return start(config, engine, stateRoot, agent, new ConsoleSessionListener(out), created);
    }

    /** As above, telling {@code listener} what the session does instead of printing it. */
    public static Session start(SessionConfig config, DockerEngine engine, Path stateRoot, ProbeAgentHost agent,
                                SessionListener listener, Consumer<Session> created) {
        if ((!config.suites().isEmpty() || config.candidate().isPresent()) && agent == null) {
            throw new IllegalArgumentException("probe suites and a candidate patch need the probe agent");
        }
        engine.requireReachable();
        ProductionEndpoint endpoint = ProductionEndpoint.resolve(engine, config.production(),
                config.containerPort().orElse(null), config.udp());
        Optional<HostPort> takeoverOf = takeoverTarget(config, endpoint);
        if (config.candidate().isPresent()) {
            ProductionJvm.require(engine, endpoint.container());
        }
        config.candidateImage().ifPresent(image -> CloneManager.requireImage(engine, image)); // before anything is made
        SessionFile.requireNoneRunning(stateRoot, endpoint.container());
        Session s = new Session(config, engine, stateRoot, agent, listener, endpoint);
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
        listener.starting(endpoint);
        // the endpoint and the proxy first: a taken port must fail before production is frozen for a clone
        control = ControlServer.start(config.metrics(), registry, this);
        HostPort listen = takeoverOf.map(p -> new HostPort(PortTakeover.needsWildcardListen(p) ? "0.0.0.0" : "127.0.0.1", 0))
                .orElseGet(() -> config.listen().orElseThrow());
        // No clone yet: each one joins when it runs, with the connections opened since its checkpoint.
        DuplicatorConfig dc = DuplicatorConfig.of(listen, endpoint.internal(), List.of())
                .withStrategy(config.strategy()).withSampleRate(config.sampleRate()).withFidelity(config.fidelity().withTrial(trial));
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
            listener.clientsMoved(takeoverOf.get(), proxyAt, endpoint.udp());
        } else {
            listener.proxyListening(proxyAt);
        }
        String[] pairNames = trial == null ? null : newPair();
        List<String> names = new ArrayList<>();
        for (int slot = 1; slot <= slots.count(); slot++) {
            names.add(pairNames == null ? nextCloneName("clone") : pairNames[slot - 1]);
        }
        // every slot from one checkpoint where the clone manager can (alone or with --with here, alone on a test host):
        // one freeze, and clones that differ only by what they are fed (or by the patch)
        List<JoiningClone> made = new ArrayList<>();
        if (twinsPossible()) {
            made.addAll(makeClones(names, pairNames != null ? "the control and the candidate clone (one checkpoint)"
                    : slots.count() + " clones (one checkpoint)"));
        } else {
            for (int slot = 1; slot <= slots.count(); slot++) {
                made.add(makeClone(slot, pairNames == null ? "clone " + slot + "/" + slots.count()
                        : (slot == CONTROL_SLOT ? "the control clone" : "the candidate clone"), names.get(slot - 1)));
            }
        }
        for (JoiningClone c : made) {
            synchronized (this) {
                if (closed) { // a signal ended the session half-way
                    made.forEach(JoiningClone::cancel);
                    made.forEach(m -> teardown.destroy(m.name()));
                }
                requireOpen();
                c.join(null);
                slots.add(c.running());
            }
        }
        if (pairNames != null) {
            activateWhenCaughtUp(pairNames);
        }
        file = SessionFile.write(stateRoot, endpoint.container(), control.url());
        state = "running";
        listener.running(control.url());
        monitor.scheduleWithFixedDelay(this::checkClones, 1, 1, TimeUnit.SECONDS);
        if (!config.statusEvery().isZero()) {
            long every = config.statusEvery().toMillis();
            monitor.scheduleWithFixedDelay(this::reportStatus, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new ParikshanException("the session was stopped while starting");
        }
    }

    /**
     * Makes a clone for a slot under a name never used before and loads the probe suites into it.
     * The moment production is frozen for its checkpoint, the proxy starts holding new connections
     * for it, so it can {@link JoiningClone#join} in step with production once the suites are
     * loaded. If it fails, nothing of it is left: what was held is dropped, the clone removed.
     */
    private JoiningClone makeClone(int slot, String what, String name) {
        return makeClones(slot, List.of(name), what).get(0);
    }

    /**
     * Whether the clones of a pair (or of every slot) can come from one checkpoint: here, for a clone
     * alone or a group (each twin then a copy of the whole group, with its own dependencies); on a
     * test host, for a clone alone (a group is not cloned there).
     */
    private boolean twinsPossible() {
        return config.testHost() == null || config.with().isEmpty();
    }

    /** Clones for every slot from 1 on, named {@code names}, from one checkpoint (see {@link #makeClones(int, List, String)}). */
    private List<JoiningClone> makeClones(List<String> names, String what) {
        return makeClones(1, names, what);
    }

    /**
     * Clones for the slots from {@code firstSlot} on, named {@code names}, from one checkpoint (the first
     * the clone, the others its twins), each with the probe suites loaded (the candidate patched).
     * If any fails, none of them is left.
     */
    private List<JoiningClone> makeClones(int firstSlot, List<String> names, String what) {
        List<JoiningClone> joining = names.stream().map(n -> new JoiningClone(n, proxy, listener)).toList();
        List<String> made = new ArrayList<>();
        try {
            listener.makingClone(what, endpoint.container());
            CloneRequest request = new CloneRequest(endpoint.container(), names.get(0),
                    config.testHost() == null ? List.of() : List.of(PortPublication.parse(Integer.toString(endpoint.containerPort()))),
                    config.with(), config.egress())
                    .withTwins(twins(firstSlot, names));
            List<CloneReport> reports = cloneManager.cloneTwins(config.testHost() == null ? request : request.onTestHost(config.testHost()),
                    progress(joining));
            reports.forEach(r -> made.add(r.cloneName()));
            for (int i = 0; i < reports.size(); i++) {
                CloneReport report = reports.get(i);
                int slot = firstSlot + i;
                // the twins share the first one's frozen window: production was frozen once
                if (i == 0) {
                    metrics.cloneMade(report.totalMillis(), report.frozenMillis());
                } else {
                    metrics.twinMade(report.totalMillis());
                }
                listener.cloneRunning(report);
                long pid = CloneRuntime.of(report.cloneName(), stateRoot).state(report.cloneName()).map(CloneRuntime.State::pid).orElse(0L);
                LiveClone c = new LiveClone(slot, report, new CloneTarget(report.cloneName(), cloneAddress(report)), System.nanoTime(),
                        pid, desynced(report.cloneName()));
                if (trial != null && slot == CANDIDATE_SLOT && config.candidateImage().isPresent()) {
                    awaitListening(c); // a fresh start: its service comes up now, not at the checkpoint
                }
                loadSuites(c);
                if (trial != null && slot == CANDIDATE_SLOT && config.candidate().isPresent()) {
                    patch(c);
                }
                joining.get(i).made(c);
            }
            return joining;
        } catch (RuntimeException e) {
            joining.forEach(JoiningClone::cancel);
            made.forEach(teardown::destroy);
            throw e;
        }
    }

    /**
     * Where the proxy reaches the clone's copy of production's port: its sandbox address here, or the
     * port the test host publishes it on.
     */
    private HostPort cloneAddress(CloneReport report) {
        if (report.testHost() == null) {
            return new HostPort(report.cloneIp(), endpoint.containerPort());
        }
        for (String a : report.addresses()) { // "10.0.0.7:41234 -> 8080/tcp"
            String[] parts = a.split(" -> ");
            if (parts.length == 2 && parts[1].equals(endpoint.containerPort() + "/tcp")) {
                return HostPort.parse(parts[0]);
            }
        }
        throw new ParikshanException("the clone " + report.cloneName() + " on test host " + report.testHost()
                + " publishes no port " + endpoint.containerPort() + " (" + report.addresses() + ")");
    }

    private void loadSuites(LiveClone c) {
        if (config.suites().isEmpty()) {
            return;
        }
        ProbeAgentHost.Result attached = agent.run(ProbeAction.ATTACH, c.name(), List.of(), false);
        if (!attached.ok()) {
            throw new ParikshanException("cannot attach the probe agent to " + c.name() + ": " + attached.reason());
        }
        for (Path suite : config.suites()) {
            ProbeAgentHost.Result loaded = agent.run(ProbeAction.LOAD, c.name(), List.of(suite.toAbsolutePath().toString()), false);
            if (!loaded.ok()) {
                throw new ParikshanException("cannot load probe suite " + suite + " into " + c.name() + ": " + loaded.reason());
            }
            listener.suiteLoaded(suite, c.name());
        }
        c.probesLoaded(true);
    }

    /** The twins of the clone for {@code firstSlot}: restored from its checkpoint, the candidate of an image started afresh. */
    private List<CloneRequest.Twin> twins(int firstSlot, List<String> names) {
        List<CloneRequest.Twin> out = new ArrayList<>();
        for (int j = 1; j < names.size(); j++) {
            boolean fresh = trial != null && firstSlot + j == CANDIDATE_SLOT;
            out.add(new CloneRequest.Twin(names.get(j), fresh ? config.candidateImage().orElse(null) : null));
        }
        return out;
    }

    /** How long a candidate started afresh from an image may take to listen on production's port. */
    static final Duration FRESH_START_TIMEOUT = Duration.ofSeconds(60);

    /** Waits until a candidate started from an image accepts connections on production's port. */
    private void awaitListening(LiveClone c) {
        HostPort at = c.target().address();
        long deadline = System.nanoTime() + FRESH_START_TIMEOUT.toNanos();
        while (true) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(at.host(), at.port()), 500);
                return;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new ParikshanException("the candidate " + c.name() + " of image " + config.candidateImage().orElse("?")
                            + " did not listen on port " + at.port() + " within " + FRESH_START_TIMEOUT.toSeconds()
                            + " s; see what it printed with 'parikshan logs " + c.name() + "' while it runs");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ParikshanException("interrupted while waiting for the candidate " + c.name() + " to listen");
                }
            }
        }
    }

    /** Slots of a candidate session: the unpatched control, and the candidate the patch is applied to. */
    static final int CONTROL_SLOT = 1;
    static final int CANDIDATE_SLOT = 2;

    /** Redefines the candidate's loaded classes with the patch jar; any refusal fails the clone, in one line. */
    private void patch(LiveClone c) {
        Path jar = config.candidate().orElseThrow();
        ProbeAgentHost.Result patched = agent.run(ProbeAction.PATCH, c.name(), List.of(jar.toAbsolutePath().toString()), false);
        if (!patched.ok()) {
            throw new ParikshanException("cannot patch the candidate clone of " + endpoint.container() + " with "
                    + jar.toAbsolutePath() + ": " + patched.reason().replaceFirst("^parikshan probe: ", ""));
        }
        listener.candidatePatched(jar, c.name(), patched.out().lines().filter(l -> l.startsWith("patched ")).toList());
    }

    /**
     * Lets the trial judge a fresh pair once both clones have taken what was held for them: the held
     * connections are replayed side by side when a clone joins, so until then a new connection's read
     * can reach a clone before the held write it follows in production, and the patch would be blamed.
     * Caught up: no bytes waiting for either clone at three checks in a row (or after 15 s, whatever).
     */
    private void activateWhenCaughtUp(String[] pair) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int[] quiet = {0};
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        Runnable check = () -> {
            Duplicator p = proxy;
            boolean caughtUp = p != null && java.util.Arrays.stream(pair).allMatch(n ->
                    p.cloneStats(n).map(st -> st.lagBytes() == 0).orElse(false));
            quiet[0] = caughtUp ? quiet[0] + 1 : 0;
            if (quiet[0] >= 3 || System.nanoTime() > deadline) {
                trial.activate(pair[0]);
                listener.candidateJudged(pair[0], pair[1]);
                task[0].cancel(false);
            }
        };
        synchronized (task) {
            task[0] = monitor.scheduleWithFixedDelay(() -> {
                synchronized (task) {
                    if (!task[0].isCancelled()) {
                        check.run();
                    }
                }
            }, 200, 100, TimeUnit.MILLISECONDS);
        }
    }

    /** Names of a fresh control and candidate, registered with the trial before either joins the proxy. */
    private String[] newPair() {
        String control = nextCloneName("control");
        String candidate = nextCloneName("candidate");
        trial.pair(control, candidate);
        return new String[] {control, candidate};
    }

    /**
     * A clone name never used before in this session: the proxy's and the agent's series are labelled
     * by clone name, so a re-used name would continue an old clone's counters.
     */
    private synchronized String nextCloneName(String role) {
        while (true) {
            String name = endpoint.container() + "-" + role + "-" + (++cloneSequence);
            if (engine.inspect(name).isEmpty() && runtime.state(name).isEmpty()
                    && !Files.exists(new CloneNames(name, stateRoot).stateDir())) {
                return name;
            }
        }
    }

    private CloneProgress progress(List<JoiningClone> joining) {
        return new CloneProgress() {
            @Override
            public void productionFrozen() {
                joining.forEach(JoiningClone::productionFrozen); // one freeze for all of them
            }

            @Override
            public void finished(ClonePhase phase, Duration took, String detail) {
                listener.clonePhase(phase, took, detail);
            }
        };
    }

    /**
     * Replaces every clone by a fresh clone of production, one after the other. The proxy swaps each
     * in one step: new client connections feed the new clone, production's connections are untouched.
     */
    public CompletableFuture<List<String>> resync(ResyncReason reason) {
        if (trial != null) {
            return resyncPair(reason);
        }
        List<LiveClone> all = slots.all();
        if (all.size() > 1 && twinsPossible() && all.stream().map(LiveClone::slot).distinct().count() == all.size()) {
            return resyncTogether(all, reason);
        }
        List<CompletableFuture<String>> each = new ArrayList<>();
        for (LiveClone c : slots.all()) {
            each.add(resync(c, reason));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Replaces a clone (or, if a re-sync queued before has replaced it meanwhile, the one in its
     * place); completes with the new clone's name.
     */
    private CompletableFuture<String> resync(LiveClone current, ResyncReason reason) {
        if (trial != null) { // never one of the pair alone: both must come from the same moment of production
            return resyncPair(reason).thenApply(names -> names.get(current.slot() - 1));
        }
        current.resyncPending(true);
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return replace(current.latest(), reason);
                } finally {
                    current.resyncPending(false);
                }
            }, resyncer);
        } catch (java.util.concurrent.RejectedExecutionException ending) {
            current.resyncPending(false); // the session is closing: its re-syncer takes no more work
            return CompletableFuture.failedFuture(ending);
        }
    }

    private String replace(LiveClone old, ResyncReason reason) {
        long t0 = System.nanoTime();
        listener.resyncStarted(old.name(), reason);
        JoiningClone fresh;
        try {
            fresh = makeClone(old.slot(), "a fresh clone for slot " + old.slot(), nextCloneName("clone"));
        } catch (RuntimeException e) {
            metrics.resyncFailed(reason);
            old.lastFailedResyncNanos(System.nanoTime());
            listener.resyncFailed(old.name(), e.getMessage());
            throw e;
        }
        synchronized (this) {
            if (closed) {
                fresh.cancel();
                teardown.destroy(fresh.name());
                throw new ParikshanException("the session ended during the re-sync");
            }
            fresh.join(old.name());
            slots.replace(old, fresh.running());
        }
        retire(old);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        metrics.resynced(reason, millis / 1000.0);
        listener.resynced(old.name(), fresh.running().report(), millis, reason);
        return fresh.name();
    }

    /**
     * Every clone replaced at once by fresh clones from one checkpoint (one freeze for all, so noise
     * twins start from the same moment again); if any cannot be made, the old ones stay.
     */
    private CompletableFuture<List<String>> resyncTogether(List<LiveClone> current, ResyncReason reason) {
        current.forEach(c -> c.resyncPending(true));
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return replaceTogether(current.stream().map(LiveClone::latest).toList(), reason);
                } finally {
                    current.forEach(c -> c.resyncPending(false));
                }
            }, resyncer);
        } catch (java.util.concurrent.RejectedExecutionException ending) {
            current.forEach(c -> c.resyncPending(false)); // the session is closing: its re-syncer takes no more work
            return CompletableFuture.failedFuture(ending);
        }
    }

    private List<String> replaceTogether(List<LiveClone> olds, ResyncReason reason) {
        long t0 = System.nanoTime();
        String what = String.join(" and ", olds.stream().map(LiveClone::name).toList());
        listener.resyncStarted(what, reason);
        List<String> names = new ArrayList<>();
        olds.forEach(o -> names.add(nextCloneName("clone")));
        List<JoiningClone> fresh;
        try {
            fresh = makeClones(names, names.size() + " fresh clones (one checkpoint)");
        } catch (RuntimeException e) {
            metrics.resyncFailed(reason);
            olds.forEach(o -> o.lastFailedResyncNanos(System.nanoTime()));
            listener.resyncFailed(what, e.getMessage());
            throw e;
        }
        synchronized (this) {
            if (closed) {
                fresh.forEach(JoiningClone::cancel);
                fresh.forEach(f -> teardown.destroy(f.name()));
                throw new ParikshanException("the session ended during the re-sync");
            }
            for (int i = 0; i < olds.size(); i++) {
                fresh.get(i).join(olds.get(i).name());
                slots.replace(olds.get(i), fresh.get(i).running());
            }
        }
        olds.forEach(this::retire);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        for (int i = 0; i < olds.size(); i++) {
            metrics.resynced(reason, millis / 1000.0);
            listener.resynced(olds.get(i).name(), fresh.get(i).running().report(), millis, reason);
        }
        return names;
    }

    /** The pair re-sync: queued once however many clones of the pair asked for it. */
    private synchronized CompletableFuture<List<String>> resyncPair(ResyncReason reason) {
        if (pairResync != null && !pairResync.isDone()) {
            return pairResync;
        }
        List<LiveClone> pair = slots.all();
        pair.forEach(c -> c.resyncPending(true));
        pairResync = CompletableFuture.supplyAsync(() -> {
            try {
                return replacePair(reason);
            } finally {
                pair.forEach(c -> c.resyncPending(false));
            }
        }, resyncer);
        return pairResync;
    }

    /**
     * Replaces the control and the candidate by a fresh pair: both made (the candidate patched again)
     * before either joins, then both swapped in together, so every connection from then on feeds two
     * clones of the same pair. If either cannot be made, the old pair stays.
     */
    private List<String> replacePair(ResyncReason reason) {
        long t0 = System.nanoTime();
        LiveClone oldControl = slots.in(CONTROL_SLOT).get(0).latest();
        LiveClone oldCandidate = slots.in(CANDIDATE_SLOT).get(0).latest();
        listener.resyncStarted(oldControl.name() + " and " + oldCandidate.name(), reason);
        String[] names = newPair();
        JoiningClone control = null;
        JoiningClone candidate;
        try {
            if (twinsPossible()) {
                List<JoiningClone> pair = makeClones(List.of(names), "a fresh control and candidate clone (one checkpoint)");
                control = pair.get(0);
                candidate = pair.get(1);
            } else {
                control = makeClone(CONTROL_SLOT, "a fresh control clone", names[0]);
                candidate = makeClone(CANDIDATE_SLOT, "a fresh candidate clone", names[1]);
            }
        } catch (RuntimeException e) {
            if (control != null) {
                control.cancel();
                teardown.destroy(control.name());
            }
            trial.forget(names[0]);
            trial.forget(names[1]);
            metrics.resyncFailed(reason);
            oldControl.lastFailedResyncNanos(System.nanoTime());
            oldCandidate.lastFailedResyncNanos(System.nanoTime());
            listener.resyncFailed(oldControl.name() + " and " + oldCandidate.name(), e.getMessage());
            throw e;
        }
        synchronized (this) {
            if (closed) {
                control.cancel();
                candidate.cancel();
                teardown.destroy(control.name());
                teardown.destroy(candidate.name());
                throw new ParikshanException("the session ended during the re-sync");
            }
            control.join(oldControl.name());
            candidate.join(oldCandidate.name());
            slots.replace(oldControl, control.running());
            slots.replace(oldCandidate, candidate.running());
        }
        activateWhenCaughtUp(names);
        retire(oldControl);
        retire(oldCandidate);
        trial.forget(oldControl.name());
        trial.forget(oldCandidate.name());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        metrics.resynced(reason, millis / 1000.0);
        listener.resynced(oldControl.name(), control.running().report(), millis, reason);
        listener.resynced(oldCandidate.name(), candidate.running().report(), millis, reason);
        return List.of(control.name(), candidate.name());
    }

    /** Keeps an old clone's final probe counts, then removes it. */
    private void retire(LiveClone old) {
        ProbeCounts last = ProbeCounts.read(filesOf(old), old.pid(), ProbeAgentHost.DEFAULT_DIR);
        if (last.invocations().isEmpty()) {
            last = old.lastProbes();
        }
        slots.retired(old.name(), last);
        teardown.destroy(old.name());
    }

    /** The files of the host the clone runs on: this one, or its test host's over SSH. */
    private HostFiles filesOf(LiveClone c) {
        return CloneRuntime.of(c.name(), stateRoot).ssh().map(HostFiles::over).orElseGet(HostFiles::local);
    }

    /** Once a second: re-sync clones that crashed, desynced too much, diverged or reached their period. */
    private void checkClones() {
        try {
            for (LiveClone c : slots.all()) {
                if (c.probesLoaded()) {
                    c.lastProbes(ProbeCounts.read(filesOf(c), c.pid(), ProbeAgentHost.DEFAULT_DIR).orIfEmpty(c.lastProbes()));
                }
                if (closed) {
                    continue;
                }
                // the readings can take a while (a clone on a test host is asked over SSH): the session may
                // have ended meanwhile, and then there is nothing to re-sync
                policy.reasonToResync(c, readings, System.nanoTime()).filter(r -> !closed)
                        .ifPresent(r -> resync(c, r).exceptionally(e -> null));
            }
        } catch (RuntimeException e) {
            listener.cloneCheckFailed(e.getMessage());
        }
    }

    /** The proxy's count of dropped connections for a clone name (0 for a name it never fed nor held for). */
    private long desynced(String clone) {
        Duplicator p = proxy;
        return p == null ? 0 : p.cloneStats(clone).map(CloneStats::desyncedConnections).orElse(0L);
    }

    private void reportStatus() {
        try {
            listener.status(status());
        } catch (RuntimeException e) {
            // the status line is a convenience; the next one will tell
        }
    }

    /** The session as {@code parikshan status} shows it. */
    public SessionStatus status() {
        ControlServer c = control;
        return statusAssembler.status(state, proxy, takeover != null, c == null ? null : c.url());
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
    public List<String> cloneNames() {
        return slots.names();
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
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
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
        Duplicator d = proxy;
        if (d != null) {
            run(problems, "closing the proxy", () -> {
                if (!d.closeGracefully(config.drain())) {
                    listener.drainCutOff(config.drain());
                }
            });
        }
        List<LiveClone> toRemove;
        synchronized (this) {
            toRemove = slots.all();
        }
        for (LiveClone c : toRemove) {
            run(problems, "removing clone " + c.name(), () -> teardown.destroy(c.name()));
        }
        if (control != null) {
            run(problems, "stopping the metrics endpoint", control::close);
        }
        if (file != null) {
            run(problems, "removing the session file", file::delete);
        }
        state = "stopped";
        if (control == null && d == null && toRemove.isEmpty()) {
            return; // nothing was started: the caller reports why
        }
        listener.ended(problems);
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
