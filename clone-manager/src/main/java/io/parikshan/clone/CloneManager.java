package io.parikshan.clone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import io.parikshan.contract.Contract;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Live-clones a running container (see the package documentation for the phases). Any failure
 * after the first resource is made rolls the clone back with {@link CloneTeardown}, and
 * production is always thawed, so a failed clone leaves nothing behind and production as it was.
 */
public final class CloneManager {

    /** Default home of checkpoint images, bind-mount copies and CRIU logs. */
    public static final Path DEFAULT_STATE_ROOT = Path.of("/var/lib/parikshan");

    private final DockerEngine engine;
    private final Path stateRoot;
    private final Doctor doctor;
    private final Sandbox sandbox;
    private final CheckpointDumper dumper;
    private final CloneTeardown teardown;
    private final CloneRuntime runtime = new CloneRuntime();
    /** The engine's runc state, where production's container is found for the dump. */
    private final Path engineRunc = CheckpointDumper.DEFAULT_RUNC_ROOT;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Files the engine writes for each container and bind-mounts into it. */
    private static final Set<String> ENGINE_ETC = Set.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf");

    public CloneManager(DockerEngine engine, Path stateRoot) {
        this.engine = engine;
        this.stateRoot = stateRoot;
        this.doctor = new Doctor(engine, stateRoot);
        this.sandbox = new Sandbox(engine);
        this.dumper = new CheckpointDumper(CheckpointDumper.DEFAULT_RUNC_ROOT);
        this.teardown = new CloneTeardown(engine, stateRoot);
    }

    /**
     * Fails in one line when {@code image} is not an image of the engine with overlay2 layers, which a
     * fresh twin ({@link CloneRequest.Twin#image()}) needs; nothing is made.
     */
    public static void requireImage(DockerEngine engine, String image) {
        FreshStart.of(engine, image);
    }

    /** Makes the clone {@code request} asks for; the report of its twins, if any, is {@link #cloneTwins}'s. */
    public CloneReport clone(CloneRequest request, CloneProgress progress) {
        return cloneTwins(request, progress).get(0);
    }

    /**
     * Makes the clone and its twins ({@link CloneRequest#twins()}) from one checkpoint: production is
     * frozen once, and CRIU's images are restored once per twin (a restore reads them and leaves them
     * as they were), then deleted. Each twin has its own name, state directory, copy of the files
     * (taken from the clone's copy of the frozen moment, after the thaw), sandbox and address; a
     * fresh twin is started from its image in the clone's sandbox instead. Any failure removes them
     * all. {@code progress} hears {@code productionFrozen} once, for all of them.
     *
     * @return the clone's report, then each twin's, in the order asked
     */
    public List<CloneReport> cloneTwins(CloneRequest request, CloneProgress progress) {
        PhaseClock clock = new PhaseClock(progress);

        clock.start(ClonePhase.SAFETY_CHECKS);
        // The host first (root, engine, CRIU, ...), then what the user asked for.
        HostCheck root = Doctor.root();
        if (!root.ok()) {
            throw new ParikshanException(root.problem());
        }
        engine.requireReachable();
        // Independent engine calls and host programs, side by side: in the CLI's fresh JVM each
        // first call is slow (class loading), and the engine answers in parallel.
        ExecutorService side = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "parikshan-safety-checks");
            t.setDaemon(true);
            return t;
        });
        List<CloneMember> group;
        List<CloneMember> twins = new ArrayList<>();
        TestHostSite site = request.testHost() == null ? null : new TestHostSite(request.testHost(), stateRoot);
        if (site != null && !request.with().isEmpty()) {
            throw new ParikshanException("--on " + request.testHost().target() + " clones one container: --with works "
                    + "on this host only for now; clone the group here, or the front alone there");
        }
        try {
            CompletableFuture<Void> host = CompletableFuture.runAsync(doctor::requireAll, side);
            CompletableFuture<Void> testHost = site == null ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(site::requireReady, side);
            List<CompletableFuture<Planning>> planning = new ArrayList<>();
            planning.add(planning(request.source(), request.name(), side));
            for (String dep : request.with()) {
                planning.add(planning(dep, null, side));
            }
            join(host); // the host's problems first, then the test host's, then what the user asked for
            join(testHost);
            group = new ArrayList<>();
            CloneMember front = plan(join(planning.get(0)), request.name(), null, site != null);
            group.add(front);
            for (int i = 1; i < planning.size(); i++) {
                group.add(plan(join(planning.get(i)), null, front, false));
            }
            GroupRules.check(request, group);
            ClonePorts.requireFree(request.publish());
            for (CloneRequest.Twin t : request.twins()) {
                twins.add(twin(group, t, twins, site != null));
            }
            requireDisk(group, twins);
        } finally {
            side.shutdownNow();
        }
        CloneMember front = group.get(0);
        List<String> warnings = group.stream().flatMap(m -> m.warnings.stream()).toList();
        clock.finish(group.stream().map(m -> m.prodName + " running, " + m.mounts.size() + " mount(s)")
                .collect(java.util.stream.Collectors.joining("; "))
                + warnings.stream().map(w -> "; warning: " + w).collect(java.util.stream.Collectors.joining()));

        CloneNames names = front.names;
        String cloneName = names.cloneName();
        String prodName = front.prodName;
        boolean made = false;
        // Ctrl-C or SIGTERM half-way must not leave a half-made clone behind either. This thread
        // goes on during the JVM's shutdown: it is told to stop at its next step and rolls itself
        // back; the hook removes the clone itself only if that does not happen in time. The hook
        // has its own engine connection: the caller may be closing this one meanwhile.
        java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(1);
        Thread abandon = new Thread(() -> {
            abandoned.set(true);
            try {
                if (settled.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (DockerEngine own = DockerEngine.connect(engine.host())) {
                new CloneTeardown(own, stateRoot).destroy(names.cloneName());
                for (CloneMember t : twins) {
                    new CloneTeardown(own, stateRoot).destroy(t.names.cloneName());
                }
            } catch (RuntimeException e) {
                // usually the caller's own rollback got there first; if not, the clone is left, so say
                // so, on stderr: the JVM is exiting and no caller is left to hear it
                System.err.println("parikshan: removing the half-made clone " + names.cloneName() + " at exit failed ("
                        + e.getMessage() + "); if 'parikshan list' still shows it, run 'parikshan destroy "
                        + names.cloneName() + "'");
            }
        }, "parikshan-clone-rollback");
        String of = prodName;
        Runnable step = () -> {
            if (abandoned.get()) {
                throw new ParikshanException("the clone of " + of + " was interrupted; it is rolled back");
            }
        };
        try {
            clock.start(ClonePhase.PREPARE);
            made = true;
            Runtime.getRuntime().addShutdownHook(abandon);
            Files.createDirectories(names.stateDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(stateRoot.resolve("clones"), PosixFilePermissions.fromString("rwx------"));
            // the owner names its members before any of them exists: a teardown after a crash finds them
            // a fresh twin of a clone alone lives in the clone's sandbox, so it goes with the clone; a twin
            // of a group owns its own copy of the group (and names it, likewise)
            GroupRules.writeMembers(names, Stream.concat(group.subList(1, group.size()).stream(),
                            twins.stream().filter(t -> t.fresh() && group.size() == 1))
                    .map(m -> m.names.cloneName()).toList());
            for (CloneMember t : twins) {
                if (!t.deps.isEmpty()) {
                    Files.createDirectories(t.names.stateDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    GroupRules.writeMembers(t.names, t.deps.stream().map(d -> d.names.cloneName()).toList());
                }
            }
            String network;
            String testHostNet = null;
            // on a test host: each restored twin's sandbox network there (a fresh twin shares the clone's)
            Map<String, String> twinNets = new HashMap<>();
            if (site != null) {
                site.record(names); // before anything is made there: a rollback finds it
                testHostNet = site.sandbox(names, request.egress());
                network = "bridge " + names.bridge() + " (" + testHostNet + ".0/24) on test host " + site.ssh().target();
                prepare(front, site);
                for (CloneMember t : twins) {
                    Files.createDirectories(t.names.stateDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    site.record(t.names);
                    if (!t.fresh()) {
                        twinNets.put(t.names.cloneName(), site.sandbox(t.names, request.egress()));
                    }
                    t.images = front.images; // the same checkpoint, sent once
                    prepare(t, site);
                    if (t.fresh()) {
                        t.fresh.rewrite(t.names.bundleDir().resolve("config.json"), front.prod);
                        site.sendBundle(t.names);
                    }
                }
            } else {
                network = sandbox.create(names, group.stream().map(m -> m.names).toList(), request.egress(),
                        group.size() > 1 ? group.stream().flatMap(m -> m.productionAddresses().stream()).toList() : List.of());
                for (CloneMember m : group) {
                    prepare(m, null);
                }
                GroupRules.addPeerNames(group);
                for (CloneMember t : twins) {
                    Files.createDirectories(t.names.stateDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    if (!t.fresh() || !t.deps.isEmpty()) {
                        // a restored twin's own, as any clone's; a twin of a group's, with its copy of the group
                        sandbox.create(t.names, t.twinGroup().stream().map(m -> m.names).toList(), request.egress(),
                                t.deps.isEmpty() ? List.of() : group.stream().flatMap(m -> m.productionAddresses().stream()).toList());
                    }
                    t.images = front.images; // the same checkpoint
                    prepare(t, null);
                    if (t.fresh()) {
                        t.lowerDirs = t.fresh.lowerDirs();
                        t.fresh.rewrite(t.names.bundleDir().resolve("config.json"), front.prod);
                    }
                    for (int i = 0; i < t.deps.size(); i++) {
                        CloneMember d = t.deps.get(i);
                        d.images = group.get(i + 1).images;
                        prepare(d, null);
                    }
                    GroupRules.addPeerNames(t.twinGroup());
                }
            }
            clock.finish("network " + network + ", bundle from production's OCI spec"
                    + (group.size() > 1 ? " for each of " + group.size() + " members" : ""));

            step.run();
            clock.start(ClonePhase.PRE_COPY);
            List<CheckpointDumper.Started> started = new ArrayList<>();
            GroupCut.Result cut;
            try {
                for (CloneMember m : group) {
                    started.add(dumper.start(m.prod.getId(), m.images, m.names.workDir()));
                }
                long preCopied = 0;
                for (CloneMember m : group) {
                    m.preCopied = preCopy(m, site);
                    preCopied += m.preCopied;
                }
                clock.finish(Doctor.human(preCopied) + " copied while production runs (and runc starts)"
                        + (site == null ? "" : ", to test host " + site.ssh().target()));

                // independent, so side by side: the file delta adds nothing to the frozen window
                clock.start(ClonePhase.DELTA_COPY);
                clock.finish("runs alongside the dump, once production is frozen");
                clock.start(ClonePhase.DUMP);
                List<GroupCut.Part> parts = new ArrayList<>();
                for (int i = 0; i < group.size(); i++) {
                    CloneMember m = group.get(i);
                    parts.add(new GroupCut.Part(m.prodName, started.get(i), m.prod.getState().getPidLong(),
                            () -> copyFiles(m))); // here, even for a test host: the freeze never waits for the network
                }
                cut = GroupCut.dump(parts, progress::productionFrozen);
            } finally {
                started.forEach(CheckpointDumper.Started::close);
            }
            long frozenMillis = cut.groupFrozenNanos() / 1_000_000;
            long delta = cut.dumps().stream().mapToLong(CheckpointDumper.Dump::deltaBytes).sum();
            clock.finish("memory and process state of " + group.stream().map(m -> m.prodName)
                    .collect(java.util.stream.Collectors.joining(", ")) + ", and "
                    + Doctor.human(delta) + " of files changed since pre-copy; production frozen " + frozenMillis + " ms"
                    + (group.size() > 1 ? " (the group, one cut)" : ""));

            step.run();
            clock.start(ClonePhase.IMAGE_COPY);
            // On one host the images stay where CRIU wrote them (memory); the clone's root is
            // production's image layers under its own copy of the writable layer.
            long imageBytes = 0;
            long sentLayers = 0;
            if (site != null) {
                // to the test host: the layers it lacks, then the images from memory to memory
                front.imageBytes = treeSize(front.images);
                imageBytes = front.imageBytes;
                TestHostSite.Layers layers = site.layers(front.lowerDirs);
                sentLayers = layers.sentBytes();
                site.sendCopies(names, front.mounts); // the delta taken during the freeze, then gone here
                site.sendImages(names, front.images);
                // the twins' files from the clone's copy there of the frozen moment; a fresh twin's image layers
                for (CloneMember t : twins) {
                    site.copyTwinFiles(names, front.mounts, t.names, t.mounts);
                    String lower = layers.lowerDirs();
                    if (t.fresh()) {
                        TestHostSite.Layers own = site.layers(t.fresh.lowerDirs());
                        sentLayers += own.sentBytes();
                        lower = own.lowerDirs();
                    }
                    site.mountRoot(t.names, lower, marker(t.names.cloneName(), prodName));
                }
                site.mountRoot(names, layers.lowerDirs(), marker(cloneName, prodName));
                clock.finish(Doctor.human(imageBytes) + " of checkpoint images sent from memory to test host "
                        + site.ssh().target() + "'s memory and deleted here, " + Doctor.human(layers.sentBytes())
                        + " of image layers sent (" + (layers.sentBytes() == 0 ? "all kept there from before" : "kept there for the next clone")
                        + "), root file system mounted there"
                        + (twins.isEmpty() ? "" : " (and for " + twins.size() + " twin(s), files copied there from the clone's)"));
            } else {
                for (CloneMember m : group) {
                    m.imageBytes = treeSize(m.images);
                    imageBytes += m.imageBytes;
                }
                // the twins' files from the clone's copy of the frozen moment, before any of them runs
                for (CloneMember t : twins) {
                    copyFiles(front, t);
                    for (int i = 0; i < t.deps.size(); i++) {
                        copyFiles(group.get(i + 1), t.deps.get(i));
                    }
                }
                for (CloneMember m : Stream.concat(group.stream(), twins.stream().flatMap(t -> t.twinGroup().stream())).toList()) {
                    writeMarker(m.names.upperDir(), m.names.cloneName(), m.prodName);
                    CloneRootfs.mount(m.names, m.lowerDirs);
                }
                clock.finish(Doctor.human(imageBytes) + " of checkpoint images kept in memory, root file system mounted"
                        + (twins.isEmpty() ? "" : " (and for " + twins.size() + " twin(s), files copied from the clone's)"));
            }

            step.run();
            clock.start(ClonePhase.RESTORE);
            List<String> addresses = List.of();
            StringBuilder restoreDetail = new StringBuilder();
            boolean restoredTwins = twins.stream().anyMatch(t -> !t.fresh());
            try {
                for (int i = 0; i < group.size(); i++) {
                    CloneMember m = group.get(i);
                    long restoreStart = System.nanoTime();
                    // there, the images go with the last restore of them
                    CloneRuntime.State restored = site != null ? site.restore(m.names, names.imagesDir(), !restoredTwins)
                            : runtime.restore(m.names.cloneName(), m.names.bundleDir(), m.images, m.names.workDir(), m.names.logFile());
                    long restoredAt = System.nanoTime();
                    step.run();
                    m.ip = site != null ? site.attach(m.names, testHostNet, restored.pid())
                            : sandbox.attach(m.names, names, i, restored.pid(),
                            group.size() > 1 ? m.productionAddresses() : List.of(), request.egress());
                    long attachedAt = System.nanoTime();
                    if (i == 0) {
                        addresses = site != null ? site.publish(names, m.ip, tcpPorts(request, m.prod))
                                : ClonePorts.publish(names, m.ip, publications(request, m.prod));
                    }
                    restoreDetail.append(restoreDetail.length() == 0 ? "" : "; ").append(m.names.cloneName())
                            .append(" running at ").append(m.ip).append(" (runc restore ")
                            .append((restoredAt - restoreStart) / 1_000_000).append(" ms, network ")
                            .append((attachedAt - restoredAt) / 1_000_000).append(" ms")
                            .append(i == 0 ? ", ports " + (System.nanoTime() - attachedAt) / 1_000_000 + " ms" : "")
                            .append(")");
                }
                List<CloneMember> restoring = twins.stream().filter(t -> !t.fresh()).toList();
                for (CloneMember t : twins) {
                    // a twin of a group: its own copies of the dependencies, from the same images, in its sandbox
                    for (int i = 0; i < t.deps.size(); i++) {
                        CloneMember d = t.deps.get(i);
                        long restoreStart = System.nanoTime();
                        CloneRuntime.State restored = runtime.restore(d.names.cloneName(), d.names.bundleDir(), d.images,
                                d.names.workDir(), d.names.logFile());
                        step.run();
                        d.ip = sandbox.attach(d.names, t.names, i + 1, restored.pid(), d.productionAddresses(), request.egress());
                        restoreDetail.append("; ").append(d.names.cloneName()).append(" running at ").append(d.ip)
                                .append(" (runc restore of the same images and network ")
                                .append((System.nanoTime() - restoreStart) / 1_000_000).append(" ms)");
                    }
                    if (t.fresh()) {
                        continue;
                    }
                    long restoreStart = System.nanoTime();
                    if (site != null) {
                        CloneRuntime.State restored = site.restore(t.names, names.imagesDir(), t == restoring.get(restoring.size() - 1));
                        step.run();
                        t.ip = site.attach(t.names, twinNets.get(t.names.cloneName()), restored.pid());
                        t.addresses = site.publish(t.names, t.ip, tcpPorts(request, t.prod));
                    } else {
                        CloneRuntime.State restored = runtime.restore(t.names.cloneName(), t.names.bundleDir(), front.images,
                                t.names.workDir(), t.names.logFile());
                        step.run();
                        t.ip = sandbox.attach(t.names, t.names, 0, restored.pid(),
                                t.deps.isEmpty() ? List.of() : front.productionAddresses(), request.egress());
                        // production's ports, each on a free host port: a port asked for is the clone's
                        t.addresses = ClonePorts.publish(t.names, t.ip, request.publish().isEmpty() ? publications(request, t.prod)
                                : request.publish().stream().map(p -> new PortPublication(p.hostIp(), 0, p.containerPort(), p.protocol())).toList());
                    }
                    restoreDetail.append("; twin ").append(t.names.cloneName()).append(" running at ").append(t.ip)
                            .append(" (runc restore of the same images and network ").append((System.nanoTime() - restoreStart) / 1_000_000)
                            .append(" ms)");
                }
            } finally {
                // The images hold production's memory (secrets): gone as soon as the clone runs.
                group.forEach(m -> CloneTeardown.deleteTree(m.images));
            }
            // fresh twins: a new container of their image in the clone's sandbox, no checkpoint
            for (int k = 0; k < twins.size(); k++) {
                CloneMember t = twins.get(k);
                if (!t.fresh()) {
                    continue;
                }
                long startedAt = System.nanoTime();
                if (site != null) {
                    // in the clone's sandbox there, beside it on its bridge; reached through a port of the test host
                    CloneRuntime.State st = site.start(t.names);
                    step.run();
                    t.ip = site.attach(t.names, names.bridge(), testHostNet, testHostNet + "." + (253 - k), st.pid());
                    t.addresses = site.publish(t.names, names.bridge(), t.ip, tcpPorts(request, t.prod));
                } else {
                    CloneRuntime.State st = runtime.start(t.names.cloneName(), t.names.bundleDir(), t.names.logFile());
                    step.run();
                    // alone: in the clone's sandbox; of a group: in its own, beside its copies of the dependencies
                    t.ip = t.deps.isEmpty() ? sandbox.attach(t.names, names, group.size() + k, st.pid(), List.of(), request.egress())
                            : sandbox.attach(t.names, t.names, 0, st.pid(), front.productionAddresses(), request.egress());
                }
                restoreDetail.append("; ").append(t.names.cloneName()).append(" started fresh from image ").append(t.fresh.image())
                        .append(" at ").append(t.ip).append(" (runc run and network ").append((System.nanoTime() - startedAt) / 1_000_000)
                        .append(" ms; no live memory)");
            }
            long now = Instant.now().getEpochSecond();
            List<String> egress = request.egress().stream().map(AllowedEgress::toString).toList();
            List<String> deps = group.subList(1, group.size()).stream().map(m -> m.names.cloneName()).toList();
            for (CloneMember m : group.subList(1, group.size())) {
                new CloneRecord(m.names.cloneName(), m.prodName, m.prod.getId(), now, m.ip, network, List.of(),
                        cloneName, List.of(), egress).write(m.names);
            }
            new CloneRecord(cloneName, prodName, front.prod.getId(), now, front.ip, network, addresses, null, deps, egress,
                    site == null ? null : site.ssh().target().toString()).write(names);
            for (CloneMember t : twins) {
                boolean inClonesSandbox = t.fresh() && t.deps.isEmpty();
                for (CloneMember d : t.deps) {
                    new CloneRecord(d.names.cloneName(), d.prodName, d.prod.getId(), now, d.ip, t.names.sandboxNetwork(), List.of(),
                            t.names.cloneName(), List.of(), egress).write(d.names);
                }
                new CloneRecord(t.names.cloneName(), prodName, front.prod.getId(), now, t.ip,
                        site != null ? twinNetwork(t, network, site, twinNets) : inClonesSandbox ? network : t.names.sandboxNetwork(),
                        t.addresses, inClonesSandbox ? cloneName : null, t.deps.stream().map(d -> d.names.cloneName()).toList(), egress,
                        site == null ? null : site.ssh().target().toString()).write(t.names);
            }
            clock.finish(restoreDetail.toString());

            forget(abandon);
            List<CloneReport.Member> members = new ArrayList<>();
            for (int i = 0; i < group.size(); i++) {
                CloneMember m = group.get(i);
                members.add(new CloneReport.Member(m.names.cloneName(), m.prodName, m.ip,
                        group.size() > 1 ? m.productionAddresses() : List.of(), cut.frozenNanos().get(i) / 1_000_000));
            }
            List<CloneReport> reports = new ArrayList<>();
            reports.add(new CloneReport(cloneName, cloneName, prodName, network, front.ip, addresses, clock.millis(),
                    frozenMillis, clock.totalMillis(), imageBytes, front.preCopied, warnings, members, request.egress(),
                    site == null ? null : site.ssh().target().toString(), site == null ? 0 : front.preCopied + delta + sentLayers + imageBytes));
            for (CloneMember t : twins) {
                // a twin shares the clone's one frozen window: its report gives it, not a window of its own
                String twinNetwork = site != null ? twinNetwork(t, network, site, twinNets)
                        : t.fresh() && t.deps.isEmpty() ? network : t.names.sandboxNetwork();
                long twinImages = t.fresh() ? imageBytes - front.imageBytes : imageBytes;
                if (t.deps.isEmpty()) {
                    reports.add(new CloneReport(t.names.cloneName(), t.names.cloneName(), prodName, twinNetwork, t.ip,
                            t.addresses, clock.millis(), frozenMillis, clock.totalMillis(), t.fresh() ? 0 : imageBytes, 0, warnings,
                            List.of(new CloneReport.Member(t.names.cloneName(), prodName, t.ip, List.of(), frozenMillis)), List.of(),
                            site == null ? null : site.ssh().target().toString(), 0));
                    continue;
                }
                List<CloneReport.Member> twinMembers = new ArrayList<>();
                List<CloneMember> copy = t.twinGroup();
                for (int i = 0; i < copy.size(); i++) {
                    CloneMember m = copy.get(i);
                    twinMembers.add(new CloneReport.Member(m.names.cloneName(), m.prodName, m.ip, group.get(i).productionAddresses(),
                            cut.frozenNanos().get(i) / 1_000_000));
                }
                reports.add(new CloneReport(t.names.cloneName(), t.names.cloneName(), prodName, twinNetwork, t.ip, t.addresses,
                        clock.millis(), frozenMillis, clock.totalMillis(), twinImages, 0, warnings, twinMembers, request.egress()));
            }
            return reports;
        } catch (IOException e) {
            forget(abandon);
            throw rollback(names, twins, made, new ParikshanException("clone of " + prodName + " failed: " + e, e));
        } catch (RuntimeException e) {
            forget(abandon);
            throw rollback(names, twins, made, e);
        } finally {
            settled.countDown();
        }
    }

    /** A twin's sandbox network: the clone's for a fresh twin, else its own (here, or its bridge there). */
    private static String twinNetwork(CloneMember t, String network, TestHostSite site, Map<String, String> twinNets) {
        if (t.fresh()) {
            return network;
        }
        return site == null ? t.names.sandboxNetwork() : "bridge " + t.names.bridge() + " (" + twinNets.get(t.names.cloneName())
                + ".0/24) on test host " + site.ssh().target();
    }

    /** The TCP ports a clone on a test host publishes there: those of {@link #publications}. */
    private static List<Integer> tcpPorts(CloneRequest request, InspectContainerResponse prod) {
        return publications(request, prod).stream().filter(p -> p.protocol().equals("tcp")).map(PortPublication::containerPort).toList();
    }

    /** What the safety checks learn of one production container, side by side with the others. */
    private record Planning(String asked, Optional<InspectContainerResponse> prod, Inspected processes, Path spec,
                            boolean nameTaken) {
    }

    private CompletableFuture<Planning> planning(String source, String requestedName, ExecutorService side) {
        CompletableFuture<Optional<InspectContainerResponse>> found =
                CompletableFuture.supplyAsync(() -> engine.inspect(source), side);
        CompletableFuture<Boolean> nameTaken = requestedName == null ? CompletableFuture.completedFuture(false)
                : CompletableFuture.supplyAsync(() -> taken(requestedName), side);
        // what depends on production alone runs as soon as it is found, beside the host checks
        CompletableFuture<Inspected> inspected = found.thenApplyAsync(o -> o.map(this::inspectProcesses).orElse(null), side);
        CompletableFuture<Path> spec = found.thenApplyAsync(o -> o.map(this::productionSpec).orElse(null), side);
        return CompletableFuture.allOf(inspected, spec, nameTaken)
                .handle((done, failed) -> new Planning(source, join(found), join(inspected), join(spec), join(nameTaken)));
    }

    /**
     * Turns what was learnt of one production container into a member, or says, nothing made yet,
     * why it cannot be cloned. {@code front} is null for the group's front (the container asked for),
     * which is named {@code requestedName} or {@code <production>-clone-<n>}; a dependency is named
     * after the front's clone.
     */
    private CloneMember plan(Planning p, String requestedName, CloneMember front, boolean onTestHost) {
        Optional<CloneRecord> asClone = CloneRecord.read(new CloneNames(p.asked(), stateRoot));
        if (asClone.isPresent()) {
            throw new ParikshanException("'" + p.asked() + "' is itself a clone of " + asClone.get().production()
                    + "; clone the production container instead");
        }
        InspectContainerResponse prod = p.prod().orElseThrow(() -> new ParikshanException(front == null
                ? "no container named '" + p.asked() + "'; see 'docker ps' for running containers"
                : "--with '" + p.asked() + "': no container of that name; see 'docker ps' for running containers"));
        String prodName = CloneTeardown.stripSlash(prod.getName());
        if (front != null && prod.getId().equals(front.prod.getId())) {
            throw new ParikshanException("--with '" + p.asked() + "' is " + front.prodName
                    + " itself; name the containers it depends on");
        }
        checkSource(front == null ? p.asked() : "--with " + p.asked(), prod);
        // what CRIU would refuse, said before production is frozen, nothing made yet
        CheckpointBlockers.requireNone(prodName, p.processes().blockers());
        String cloneName = front == null
                ? (requestedName != null ? requestedName : freeName(prodName))
                : front.names.cloneName() + "." + prodName;
        if (p.nameTaken() || (front != null && taken(cloneName))) {
            throw new ParikshanException("name '" + cloneName
                    + "' is taken; choose another --name, or 'parikshan destroy " + cloneName + "' if it is an old clone");
        }
        CloneNames names = new CloneNames(cloneName, stateRoot);
        List<MountPlan> mounts = planMounts(prod, names, onTestHost);
        SharedFileLocks locks = new SharedFileLocks(CheckpointBlockers.PROC);
        locks.requireNone(prodName, p.processes().pids(), mounts);
        List<String> warnings = locks.lostInClone(p.processes().pids());
        long rss = p.processes().residentBytes();
        long imageNeed = rss + rss / 8 + (16L << 20); // CRIU's images: production's resident memory and CRIU's metadata
        CloneMember m = new CloneMember(prod, prodName, names, mounts, p.spec(), imageNeed, warnings);
        m.filesNeed = filesNeed(prod, mounts);
        return m;
    }

    /**
     * A twin of the clone of {@code group}'s front: production's, under a name of its own (checked free,
     * as the clone's is); for a fresh twin, its image (checked to exist); for a group, the twin's own
     * copies of the dependencies, named after the twin as the group's are after the clone. Nothing made yet.
     */
    private CloneMember twin(List<CloneMember> group, CloneRequest.Twin t, List<CloneMember> before, boolean onTestHost) {
        CloneMember front = group.get(0);
        CloneNames n = new CloneNames(t.name(), stateRoot);
        CloneMember m = new CloneMember(front.prod, front.prodName, n, planMounts(front.prod, n, onTestHost), front.productionSpec,
                0, List.of());
        for (CloneMember dep : group.subList(1, group.size())) {
            CloneNames dn = new CloneNames(t.name() + "." + dep.prodName, stateRoot);
            m.deps.add(new CloneMember(dep.prod, dep.prodName, dn, planMounts(dep.prod, dn, false), dep.productionSpec, 0, List.of()));
        }
        Set<String> made = new java.util.HashSet<>();
        group.forEach(g -> made.add(g.names.cloneName()));
        before.forEach(b -> b.twinGroup().forEach(c -> made.add(c.names.cloneName())));
        for (CloneMember c : m.twinGroup()) {
            String name = c.names.cloneName();
            if (made.contains(name) || taken(name)) {
                throw new ParikshanException("name '" + name + "' is taken; choose another"
                        + (c == m ? "" : " twin name") + ", or 'parikshan destroy " + name + "' if it is an old clone");
            }
        }
        m.fresh = t.fresh() ? FreshStart.of(engine, t.image()) : null;
        return m;
    }

    /** A twin's copies of the writable layer and mounts, from the clone's copies (production's as frozen). */
    private static void copyFiles(CloneMember front, CloneMember twin) {
        FileCopier.mirror(front.names.upperDir(), twin.names.upperDir(), List.of("/" + CloneNames.MARKER));
        for (int i = 0; i < front.mounts.size(); i++) {
            if (front.mounts.get(i).copied()) {
                FileCopier.mirror(front.mounts.get(i).cloneSource(), twin.mounts.get(i).cloneSource(), List.of());
            }
        }
    }

    /**
     * The member's image store, copies of its mounts, its bundle and overlay directories; on a
     * test host ({@code site} not null) the copies and directories are made there and the bundle
     * written here is sent there.
     */
    private void prepare(CloneMember m, TestHostSite site) throws IOException {
        CloneNames n = m.names;
        Files.createDirectories(n.stateDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (m.images == null) {
            m.images = ImageStore.prepare(n, m.imageNeed);
        }
        m.prodUpper = upperDir(m.prod.getId(), m.prodName);
        m.lowerDirs = lowerDirs(m.prod.getId(), m.prodName);
        Map<String, Path> cloneMounts = makeMounts(m.mounts, n, m.productionSpec, site == null);
        CloneBundle.write(m.productionSpec, n.bundleDir(), n.rootfsDir(), n.cloneName(), n.cgroupsPath(), cloneMounts);
        Files.createDirectories(n.workDir()); // CRIU's dump works here, wherever the clone runs
        Files.createDirectories(n.upperDir()); // the copies are taken here, then sent to a test host
        if (site != null) {
            site.prepare(m, m.mounts);
        }
    }

    private static void forget(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
            // the hook runs or never ran: nothing to forget
        }
    }

    /** Undoes a half-made clone; the original failure is what the user sees. */
    private RuntimeException rollback(CloneNames names, List<CloneMember> twins, boolean made, RuntimeException failure) {
        if (failure instanceof CriuFailure criu) {
            CloneNames failed = twins.stream().flatMap(t -> t.twinGroup().stream()).map(t -> t.names)
                    .filter(t -> criu.criuLog().startsWith(t.stateDir()))
                    .findFirst().orElse(names);
            failure = explained(criu, failed); // before the rollback deletes CRIU's log
        }
        if (made) {
            for (CloneNames n : Stream.concat(Stream.of(names), twins.stream().map(t -> t.names)).toList()) {
                try {
                    teardown.destroy(n.cloneName());
                } catch (RuntimeException cleanup) {
                    failure.addSuppressed(cleanup);
                }
            }
        }
        if (failure instanceof ParikshanException) {
            return failure;
        }
        return new ParikshanException("clone failed: " + DockerEngine.rootMessage(failure), failure);
    }

    /** CRIU's failure with its first real error in the user's terms, its log kept owner-only where the message says. */
    private ParikshanException explained(CriuFailure f, CloneNames names) {
        Path kept;
        try {
            kept = CriuLog.keep(f.criuLog(), CriuLog.keptLog(stateRoot, names.cloneName(), f.action()));
        } catch (IOException e) {
            return new ParikshanException(f.getMessage() + "; CRIU's log " + f.criuLog() + " could not be kept: " + e.getMessage(), f);
        }
        String why = CriuLog.diagnose(kept).map(CriuLog.Diagnosis::summary)
                .orElse("CRIU ended without writing an error (it crashed or was killed; runc said: " + f.runcSaid() + ")");
        return new ParikshanException("CRIU could not " + f.action() + " " + names.cloneName() + ": " + why
                + "; CRIU's log is kept in " + kept + " until 'parikshan destroy " + names.cloneName() + "'", f, kept);
    }

    private void checkSource(String asked, InspectContainerResponse prod) {
        InspectContainerResponse.ContainerState st = prod.getState();
        Map<String, String> labels = Optional.ofNullable(prod.getConfig().getLabels()).orElse(Map.of());
        if (CloneNames.ROLE_CLONE.equals(labels.get(CloneNames.LABEL_ROLE))) {
            throw new ParikshanException("'" + asked + "' is itself a clone of " + labels.get(CloneNames.LABEL_PRODUCTION)
                    + "; clone the production container instead");
        }
        if (Boolean.TRUE.equals(st.getPaused())) {
            throw new ParikshanException("container '" + asked + "' is paused; unpause it (docker unpause "
                    + asked + ") so cloning does not change its state");
        }
        if (!Boolean.TRUE.equals(st.getRunning())) {
            throw new ParikshanException("container '" + asked + "' is " + st.getStatus()
                    + ", not running; start it first (a live clone copies a running process)");
        }
        HostConfig hc = prod.getHostConfig();
        String runtime = hc.getRuntime();
        if (runtime != null && !runtime.isEmpty() && !runtime.equals("runc")) {
            throw new ParikshanException("container '" + asked + "' runs on runtime '" + runtime
                    + "'; Parikshan clones only runc containers");
        }
        String net = Optional.ofNullable(hc.getNetworkMode()).orElse("default");
        if (net.equals("host") || net.startsWith("container:")) {
            throw new ParikshanException("container '" + asked + "' uses network mode '" + net
                    + "'; a clone needs its own network namespace, so only bridge networks are supported");
        }
        for (String mode : new String[] {hc.getPidMode(), hc.getIpcMode()}) {
            if (mode != null && (mode.equals("host") || mode.startsWith("container:"))) {
                throw new ParikshanException("container '" + asked + "' shares namespace '" + mode
                        + "' with another; Parikshan clones only self-contained containers");
            }
        }
    }

    private String freeName(String prodName) {
        for (int n = 1; ; n++) {
            String candidate = prodName + "-clone-" + n;
            if (!taken(candidate)) {
                return candidate;
            }
        }
    }

    /**
     * @param onTestHost copy read-only volumes too (a test host has none of the engine's volumes);
     *                   read-only bind mounts are the test host's own files at the same paths
     */
    private static List<MountPlan> planMounts(InspectContainerResponse prod, CloneNames names, boolean onTestHost) {
        List<MountPlan> plans = new ArrayList<>();
        List<InspectContainerResponse.Mount> mounts = Optional.ofNullable(prod.getMounts()).orElse(List.of());
        int i = 0;
        for (InspectContainerResponse.Mount m : mounts) {
            if (m.getSource() == null || m.getSource().isEmpty()) {
                continue; // tmpfs: CRIU dumps its contents with the process state
            }
            boolean ro = !Boolean.TRUE.equals(m.getRW());
            Path source = Path.of(m.getSource());
            String dest = m.getDestination().getPath();
            boolean volume = m.getName() != null && !m.getName().isEmpty();
            if (ro && !(onTestHost && volume)) {
                plans.add(new MountPlan(dest, source, source, null, true));
            } else {
                // volumes and bind mounts alike: a copy of the clone's own under its state directory
                plans.add(new MountPlan(dest, source, names.bindCopy(i), volume ? m.getName() : null, false));
            }
            i++;
        }
        return plans;
    }

    /**
     * Makes the clone's copies of production's writable mounts (filled by the pre-copy) and of the
     * engine's /etc files; returns, by destination, the host path the clone mounts instead.
     */
    private static Map<String, Path> makeMounts(List<MountPlan> plans, CloneNames names, Path productionSpec, boolean here)
            throws IOException {
        Map<String, Path> out = new HashMap<>();
        for (MountPlan p : plans) {
            if (p.shared()) {
                continue;
            }
            if (!here) {
                // the test host mounts its copy; here it is only where the delta is taken during the freeze
                Files.createDirectories(Files.isDirectory(p.source()) ? p.cloneSource() : p.cloneSource().getParent());
                out.put(p.destination(), p.cloneSource());
                continue;
            }
            if (Files.isDirectory(p.source())) {
                Files.createDirectories(p.cloneSource());
            } else {
                Files.createDirectories(p.cloneSource().getParent());
                Files.copy(p.source(), p.cloneSource(), StandardCopyOption.REPLACE_EXISTING);
            }
            CloneRootfs.shareInPlace(p.cloneSource());
            out.put(p.destination(), p.cloneSource());
        }
        // The engine's generated /etc/hosts, /etc/hostname and /etc/resolv.conf: the clone's own copies.
        JsonNode mounts = JSON.readTree(productionSpec.toFile()).path("mounts");
        Files.createDirectories(names.etcDir());
        for (JsonNode m : mounts) {
            String dest = m.path("destination").asText();
            Path source = Path.of(m.path("source").asText("/"));
            if (ENGINE_ETC.contains(dest) && !out.containsKey(dest) && Files.isRegularFile(source)) {
                Path copy = names.etcDir().resolve(Path.of(dest).getFileName().toString());
                Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                out.put(dest, copy);
            }
        }
        return out;
    }

    /** The ports to publish: those asked for, else each of production's published ports on loopback. */
    private static List<PortPublication> publications(CloneRequest req, InspectContainerResponse prod) {
        if (!req.publish().isEmpty()) {
            return req.publish();
        }
        List<PortPublication> out = new ArrayList<>();
        Ports ports = prod.getNetworkSettings().getPorts();
        if (ports != null) {
            ports.getBindings().forEach((ep, bindings) -> {
                if (bindings != null && bindings.length > 0) {
                    out.add(new PortPublication("127.0.0.1", 0, ep.getPort(), ep.getProtocol().toString()));
                }
            });
        }
        out.sort(java.util.Comparator.comparing(PortPublication::toString));
        return out;
    }

    /** Production's processes (host pids), what in them CRIU would refuse, and their resident memory. */
    private record Inspected(List<Long> pids, List<CheckpointBlockers.Blocker> blockers, long residentBytes) {
    }

    private Inspected inspectProcesses(InspectContainerResponse prod) {
        CheckpointBlockers blockers = new CheckpointBlockers(CheckpointBlockers.PROC);
        long initPid = prod.getState().getPidLong();
        if (initPid <= 0) {
            return new Inspected(List.of(), List.of(), 0); // not running: checkSource says so
        }
        List<Long> pids = blockers.cgroupMembers(Freezer.CGROUP_ROOT, initPid);
        List<CheckpointBlockers.Blocker> found = new ArrayList<>(blockers.inspect(initPid, pids));
        found.addAll(new ExternalUnixSockets(CheckpointBlockers.PROC).find(initPid, pids));
        return new Inspected(pids, found, residentMemory(pids));
    }

    /** Production's OCI spec, as the engine gave it to runc (found through runc's state, the same on every engine). */
    private Path productionSpec(InspectContainerResponse prod) {
        String prodName = CloneTeardown.stripSlash(prod.getName());
        if (!Boolean.TRUE.equals(prod.getState().getRunning())) {
            return null; // checkSource says so
        }
        HostCommand.Result r = HostCommand.run(List.of("runc", "--root", engineRunc.toString(), "state", prod.getId()),
                Duration.ofSeconds(30));
        if (!r.ok()) {
            throw new ParikshanException("runc does not know container " + prodName + " in " + engineRunc + " ("
                    + r.reason() + "); Parikshan clones containers of Docker's default runc runtime");
        }
        try {
            Path spec = Path.of(JSON.readTree(r.stdout()).path("bundle").asText()).resolve("config.json");
            if (!Files.isRegularFile(spec)) {
                throw new ParikshanException("production's OCI spec " + spec + " is missing; is " + prodName + " still running?");
            }
            return spec;
        } catch (IOException e) {
            throw new ParikshanException("runc state of " + prodName + " is unreadable: " + e.getMessage());
        }
    }

    private String lowerDirs(String containerId, String name) {
        String lower = engine.rawInspect(containerId).path("GraphDriver").path("Data").path("LowerDir").asText("");
        if (lower.isEmpty()) {
            throw new ParikshanException("container " + name + " has no overlay2 image layers; Parikshan needs Docker's overlay2 storage driver");
        }
        return lower;
    }

    /**
     * The pre-copy, while production runs: to the clone's copies here, and for a test host straight
     * there too, so what is sent after the thaw is only what changed meanwhile.
     */
    private static long preCopy(CloneMember member, TestHostSite site) {
        long bytes = copyFiles(member);
        if (site != null) {
            site.copyFiles(member.prodUpper, member.names, member.mounts);
        }
        return bytes;
    }

    /** Production's writable layer and copied mounts to the clone's copies here. */
    private static long copyFiles(CloneMember member) {
        long bytes = FileCopier.mirror(member.prodUpper, member.names.upperDir(), List.of("/" + CloneNames.MARKER));
        for (MountPlan m : member.mounts) {
            if (m.copied()) {
                bytes += FileCopier.mirror(m.source(), m.cloneSource(), List.of());
            }
        }
        return bytes;
    }

    private Path upperDir(String containerId, String name) {
        JsonNode graph = engine.rawInspect(containerId).path("GraphDriver");
        String upper = graph.path("Data").path("UpperDir").asText("");
        if (upper.isEmpty()) {
            throw new ParikshanException("container " + name
                    + " has no overlay2 writable layer (storage driver " + graph.path("Name").asText("?")
                    + "); Parikshan needs Docker's overlay2 storage driver");
        }
        return Path.of(upper);
    }

    /**
     * Disk the member's copies of production's files take here: its writable layer and copied mounts
     * (for a test host too: they are taken here during the freeze, then sent), and a margin.
     */
    private long filesNeed(InspectContainerResponse prod, List<MountPlan> mounts) {
        long need = 64L << 20;
        need += treeSize(upperDir(prod.getId(), CloneTeardown.stripSlash(prod.getName())));
        for (MountPlan m : mounts) {
            if (m.copied()) {
                need += treeSize(m.source());
            }
        }
        return need;
    }

    /**
     * Checks there is disk for the copies every member and every twin take, together: a twin copies
     * its front's files again (and a twin of a group each dependency's), from the clone's copies.
     */
    private void requireDisk(List<CloneMember> group, List<CloneMember> twins) {
        int copies = 1 + twins.size();
        long need = copies * group.stream().mapToLong(m -> m.filesNeed).sum();
        long free = Doctor.usable(stateRoot);
        if (free < need) {
            boolean one = copies == 1 && group.size() == 1;
            throw new ParikshanException("not enough disk for " + (one ? "the clone's copy of production's files"
                    : "the copies of production's files for " + copies + " clone(s) of " + group.size() + " container(s)")
                    + ": " + Doctor.human(need) + " needed, " + Doctor.human(free) + " free at " + stateRoot
                    + "; free some space, use another --state-dir" + (one ? "" : ", or ask for fewer clones"));
        }
    }

    /** A name is taken by any container of the engine and by any clone, even a half-removed one. */
    private boolean taken(String name) {
        return engine.inspect(name).isPresent() || Files.exists(new CloneNames(name, stateRoot).stateDir())
                || Files.exists(CloneRuntime.ROOT.resolve(name)); // runc's state, even a stale one it cannot read
    }

    /** The value of a side task, or its failure as thrown there. */
    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Resident memory of the container's processes: roughly the size of CRIU's images. */
    private static long residentMemory(List<Long> pids) {
        long rss = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss += Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // ended meanwhile: nothing to dump of it
            }
        }
        return rss;
    }

    private static String marker(String clone, String production) {
        return Contract.MARKER_CLONE_KEY + "=" + clone + "\n" + Contract.MARKER_PRODUCTION_KEY + "=" + production + "\n";
    }

    private static void writeMarker(Path cloneUpper, String clone, String production) throws IOException {
        Path marker = cloneUpper.resolve(CloneNames.MARKER);
        Files.writeString(marker, marker(clone, production), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rw-r--r--"));
    }

    static long treeSize(Path root) {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static List<String> addresses(InspectContainerResponse c) {
        List<String> out = new ArrayList<>();
        Ports ports = c.getNetworkSettings().getPorts();
        if (ports != null) {
            ports.getBindings().forEach((ep, bindings) -> {
                if (bindings != null) {
                    for (Ports.Binding b : bindings) {
                        out.add(b.getHostIp() + ":" + b.getHostPortSpec() + " -> " + ep);
                    }
                }
            });
        }
        return out;
    }

    /** Times phases and tells the listener. */
    private static final class PhaseClock {
        private final CloneProgress progress;
        private final long begin = System.nanoTime();
        private final Map<ClonePhase, Long> millis = new EnumMap<>(ClonePhase.class);
        private ClonePhase current;
        private long started;

        PhaseClock(CloneProgress progress) {
            this.progress = progress;
        }

        void start(ClonePhase phase) {
            current = phase;
            started = System.nanoTime();
            progress.started(phase);
        }

        void finish(String detail) {
            long took = System.nanoTime() - started;
            millis.put(current, took / 1_000_000);
            progress.finished(current, Duration.ofNanos(took), detail);
        }

        Map<ClonePhase, Long> millis() {
            return millis;
        }

        long totalMillis() {
            return (System.nanoTime() - begin) / 1_000_000;
        }
    }
}
