package io.parikshan.clone;

import com.fasterxml.jackson.databind.JsonNode;
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

    public CloneManager(DockerEngine engine, Path stateRoot) {
        this.engine = engine;
        this.stateRoot = stateRoot;
        this.doctor = new Doctor(engine, stateRoot);
        this.sandbox = new Sandbox(engine);
        this.dumper = new CheckpointDumper(CheckpointDumper.DEFAULT_RUNC_ROOT);
        this.teardown = new CloneTeardown(engine, stateRoot);
    }

    public CloneReport clone(CloneRequest request, CloneProgress progress) {
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
        InspectContainerResponse prod;
        String prodName;
        CloneNames names;
        List<MountPlan> mounts;
        Path dockerRoot;
        try {
            CompletableFuture<Void> host = CompletableFuture.runAsync(doctor::requireAll, side);
            CompletableFuture<Optional<InspectContainerResponse>> source =
                    CompletableFuture.supplyAsync(() -> engine.inspect(request.source()), side);
            CompletableFuture<Boolean> nameTaken = request.name() == null ? CompletableFuture.completedFuture(false)
                    : CompletableFuture.supplyAsync(() -> engine.inspect(request.name()).isPresent(), side);
            CompletableFuture<Path> engineRoot = CompletableFuture.supplyAsync(engine::rootDir, side);
            join(host); // the host's problems first, then what the user asked for
            prod = join(source).orElseThrow(() -> new ParikshanException(
                    "no container named '" + request.source() + "'; see 'docker ps' for running containers"));
            prodName = CloneTeardown.stripSlash(prod.getName());
            checkSource(request.source(), prod);
            String cloneName = request.name() != null ? request.name() : freeName(prodName);
            if (join(nameTaken)) {
                throw new ParikshanException("container name '" + cloneName
                        + "' is taken; choose another --name, or 'parikshan destroy " + cloneName + "' if it is an old clone");
            }
            names = new CloneNames(cloneName, stateRoot);
            mounts = planMounts(prod, names);
            dockerRoot = join(engineRoot);
            requireSpace(prod, mounts, dockerRoot, side);
        } finally {
            side.shutdownNow();
        }
        String cloneName = names.cloneName();
        clock.finish(prodName + " running, " + mounts.size() + " mount(s)");

        boolean made = false;
        // Ctrl-C or SIGTERM half-way must not leave a half-made clone behind either.
        // The hook has its own engine connection: the caller may be closing this one meanwhile.
        Thread abandon = new Thread(() -> {
            try (DockerEngine own = DockerEngine.connect(engine.host())) {
                new CloneTeardown(own, stateRoot).destroy(names.cloneName());
            } catch (RuntimeException raceWithTheCallersOwnRollback) {
                // the caller's rollback got there first
            }
        }, "parikshan-clone-rollback");
        try {
            clock.start(ClonePhase.PREPARE);
            made = true;
            Runtime.getRuntime().addShutdownHook(abandon);
            Files.createDirectories(names.stateDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(stateRoot.resolve("clones"), PosixFilePermissions.fromString("rwx------"));
            String network = sandbox.create(names);
            List<Mount> cloneMounts = makeMounts(mounts, names, prod);
            String cloneId = createClone(prod, request, names, network, cloneMounts);
            Path prodUpper = upperDir(prod.getId(), prodName);
            Path cloneUpper = upperDir(cloneId, cloneName);
            clock.finish("container " + cloneName + ", network " + network);

            // CRIU writes into the owner-only state dir; the engine gets links to the images (CheckpointLinks)
            Path images = names.imagesDir();
            Path checkpoint = dockerRoot.resolve("containers").resolve(cloneId).resolve("checkpoints").resolve(CloneNames.CHECKPOINT);
            Files.createDirectories(images);
            Files.createDirectories(names.workDir());
            long frozenMillis;
            long preCopied;
            clock.start(ClonePhase.PRE_COPY);
            try (CheckpointDumper.Started dumping = dumper.start(prod.getId(), images, names.workDir())) {
                preCopied = copyFiles(prodUpper, cloneUpper, mounts);
                clock.finish(Doctor.human(preCopied) + " copied while production runs (and runc starts)");

                // independent, so side by side: the file delta adds nothing to the frozen window
                clock.start(ClonePhase.DELTA_COPY);
                clock.finish("runs alongside the dump, once production is frozen");
                clock.start(ClonePhase.DUMP);
                long pid = prod.getState().getPidLong();
                CheckpointDumper.Dump dump = dumping.finish(() -> {
                    Freezer frozen = Freezer.freeze(pid);
                    try {
                        progress.productionFrozen();
                    } catch (RuntimeException e) {
                        frozen.close(); // never leave production frozen behind a listener's failure
                        throw e;
                    }
                    return frozen;
                }, () -> copyFiles(prodUpper, cloneUpper, mounts));
                frozenMillis = dump.frozenNanos() / 1_000_000;
                clock.finish("memory and process state of " + prodName + ", and "
                        + Doctor.human(dump.deltaBytes()) + " of files changed since pre-copy; production frozen "
                        + frozenMillis + " ms");
            }
            long imageBytes = treeSize(images);

            clock.start(ClonePhase.IMAGE_COPY);
            // On one host the images stay where CRIU wrote them: the engine gets links, no copy.
            // A clone on another host would copy them here.
            writeMarker(cloneUpper, cloneName, prodName);
            int linked = CheckpointLinks.link(images, checkpoint);
            clock.finish(Doctor.human(imageBytes) + " of checkpoint images in " + linked + " files, linked for the engine");

            clock.start(ClonePhase.RESTORE);
            try {
                engine.startFromCheckpoint(cloneId, CloneNames.CHECKPOINT);
            } finally {
                // The images hold production's memory (secrets): gone as soon as the clone runs.
                CloneTeardown.deleteTree(checkpoint);
                CloneTeardown.deleteTree(images);
            }
            InspectContainerResponse running = engine.client().inspectContainerCmd(cloneId).exec();
            if (!Boolean.TRUE.equals(running.getState().getRunning())) {
                throw new ParikshanException("the clone stopped right after restore (status "
                        + running.getState().getStatus() + "); see 'docker logs " + cloneName + "'");
            }
            clock.finish(cloneName + " running");

            forget(abandon);
            ContainerNetwork net = running.getNetworkSettings().getNetworks().get(network);
            return new CloneReport(cloneName, cloneId, prodName, network, net == null ? "" : net.getIpAddress(),
                    addresses(running), clock.millis(), frozenMillis, clock.totalMillis(), imageBytes, preCopied);
        } catch (IOException e) {
            forget(abandon);
            throw rollback(names, made, new ParikshanException("clone of " + prodName + " failed: " + e, e));
        } catch (RuntimeException e) {
            forget(abandon);
            throw rollback(names, made, e);
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
    private RuntimeException rollback(CloneNames names, boolean made, RuntimeException failure) {
        if (made) {
            try {
                teardown.destroy(names.cloneName());
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
        }
        if (failure instanceof ParikshanException) {
            return failure;
        }
        return new ParikshanException("clone failed: " + DockerEngine.rootMessage(failure), failure);
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
            if (engine.inspect(candidate).isEmpty()
                    && !Files.exists(new CloneNames(candidate, stateRoot).stateDir())) {
                return candidate;
            }
        }
    }

    private static List<MountPlan> planMounts(InspectContainerResponse prod, CloneNames names) {
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
            if (ro) {
                plans.add(new MountPlan(dest, source, source, null, true));
            } else if (volume) {
                plans.add(new MountPlan(dest, source, null, names.volume(i), false));
            } else {
                plans.add(new MountPlan(dest, source, names.bindCopy(i), null, false));
            }
            i++;
        }
        return plans;
    }

    /** Creates the clone's own volumes and bind-copy targets; returns the Docker mounts. */
    private List<Mount> makeMounts(List<MountPlan> plans, CloneNames names, InspectContainerResponse prod) throws IOException {
        List<Mount> out = new ArrayList<>();
        for (int k = 0; k < plans.size(); k++) {
            MountPlan p = plans.get(k);
            if (p.cloneVolume() != null) {
                String mountpoint = engine.client().createVolumeCmd().withName(p.cloneVolume())
                        .withLabels(Map.of(CloneNames.LABEL_CLONE, names.cloneName()))
                        .exec().getMountpoint();
                plans.set(k, new MountPlan(p.destination(), p.source(), Path.of(mountpoint), p.cloneVolume(), false));
                out.add(new Mount().withType(MountType.VOLUME).withSource(p.cloneVolume()).withTarget(p.destination()));
            } else if (p.shared()) {
                out.add(new Mount().withType(MountType.BIND).withSource(p.source().toString())
                        .withTarget(p.destination()).withReadOnly(true));
            } else {
                if (Files.isDirectory(p.source())) {
                    Files.createDirectories(p.cloneSource());
                } else {
                    Files.createDirectories(p.cloneSource().getParent());
                    Files.copy(p.source(), p.cloneSource(), StandardCopyOption.REPLACE_EXISTING);
                }
                out.add(new Mount().withType(MountType.BIND).withSource(p.cloneSource().toString())
                        .withTarget(p.destination()));
            }
        }
        // tmpfs mounts made with --mount carry over as they are
        Optional.ofNullable(prod.getHostConfig().getMounts()).orElse(List.of()).stream()
                .filter(m -> m.getType() == MountType.TMPFS)
                .forEach(out::add);
        return out;
    }

    private String createClone(InspectContainerResponse prod, CloneRequest req, CloneNames names,
                               String network, List<Mount> mounts) {
        ContainerConfig cfg = prod.getConfig();
        HostConfig p = prod.getHostConfig();
        Map<String, String> labels = new HashMap<>(Optional.ofNullable(cfg.getLabels()).orElse(Map.of()));
        labels.keySet().removeIf(k -> k.startsWith("com.docker.compose.")); // not a member of production's project
        labels.put(CloneNames.LABEL_ROLE, CloneNames.ROLE_CLONE);
        labels.put(CloneNames.LABEL_CLONE, names.cloneName());
        labels.put(CloneNames.LABEL_PRODUCTION, CloneTeardown.stripSlash(prod.getName()));
        labels.put(CloneNames.LABEL_PRODUCTION_ID, prod.getId());
        labels.put(CloneNames.LABEL_CREATED, Long.toString(Instant.now().getEpochSecond()));

        Ports ports = new Ports();
        Set<ExposedPort> exposed = new LinkedHashSet<>();
        if (cfg.getExposedPorts() != null) {
            exposed.addAll(List.of(cfg.getExposedPorts()));
        }
        if (!req.publish().isEmpty()) {
            for (PortPublication pub : req.publish()) {
                ExposedPort ep = new ExposedPort(pub.containerPort(), InternetProtocol.parse(pub.protocol()));
                exposed.add(ep);
                ports.bind(ep, pub.hostPort() == 0 ? Ports.Binding.bindIp(pub.hostIp())
                        : Ports.Binding.bindIpAndPort(pub.hostIp(), pub.hostPort()));
            }
        } else if (prod.getNetworkSettings().getPorts() != null) {
            // production's published ports, each on loopback with a free host port
            prod.getNetworkSettings().getPorts().getBindings().forEach((ep, bindings) -> {
                if (bindings != null && bindings.length > 0) {
                    exposed.add(ep);
                    ports.bind(ep, Ports.Binding.bindIp("127.0.0.1"));
                }
            });
        }

        HostConfig hc = HostConfig.newHostConfig()
                .withMounts(mounts)
                .withPortBindings(ports)
                .withNetworkMode(network)
                .withRestartPolicy(RestartPolicy.noRestart())
                .withCapAdd(p.getCapAdd())
                .withCapDrop(p.getCapDrop())
                .withSecurityOpts(p.getSecurityOpts())
                .withUlimits(p.getUlimits())
                .withMemory(p.getMemory())
                .withMemorySwap(p.getMemorySwap())
                .withNanoCPUs(p.getNanoCPUs())
                .withCpuShares(p.getCpuShares())
                .withShmSize(p.getShmSize())
                .withTmpFs(p.getTmpFs())
                .withReadonlyRootfs(p.getReadonlyRootfs())
                .withInit(p.getInit())
                .withPrivileged(p.getPrivileged())
                .withDevices(p.getDevices())
                .withGroupAdd(p.getGroupAdd())
                .withExtraHosts(p.getExtraHosts());

        CreateContainerCmd cmd = engine.client().createContainerCmd(prod.getImageId())
                .withName(names.cloneName())
                .withTty(cfg.getTty())
                .withStdinOpen(cfg.getStdinOpen())
                .withLabels(labels)
                .withExposedPorts(new ArrayList<>(exposed))
                .withHostConfig(hc);
        // docker-java rejects nulls here, so only what production has is set
        Optional.ofNullable(cfg.getEnv()).ifPresent(cmd::withEnv);
        Optional.ofNullable(cfg.getCmd()).ifPresent(cmd::withCmd);
        Optional.ofNullable(cfg.getEntrypoint()).ifPresent(cmd::withEntrypoint);
        Optional.ofNullable(cfg.getWorkingDir()).filter(w -> !w.isEmpty()).ifPresent(cmd::withWorkingDir);
        Optional.ofNullable(cfg.getUser()).filter(u -> !u.isEmpty()).ifPresent(cmd::withUser);
        return cmd.exec().getId();
    }

    private static long copyFiles(Path prodUpper, Path cloneUpper, List<MountPlan> mounts) {
        long bytes = FileCopier.mirror(prodUpper, cloneUpper, List.of("/" + CloneNames.MARKER));
        for (MountPlan m : mounts) {
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

    private void requireSpace(InspectContainerResponse prod, List<MountPlan> mounts, Path dockerRoot, ExecutorService side) {
        CompletableFuture<Long> memory = CompletableFuture.supplyAsync(() -> processMemory(prod), side);
        long need = 64L << 20;
        need += 2 * treeSize(upperDir(prod.getId(), CloneTeardown.stripSlash(prod.getName())));
        for (MountPlan m : mounts) {
            if (m.copied()) {
                need += treeSize(m.source());
            }
        }
        need += join(memory);
        for (Path where : List.of(stateRoot, dockerRoot)) {
            long free = Doctor.usable(where);
            if (free < need) {
                throw new ParikshanException("not enough disk for the clone: " + Doctor.human(need)
                        + " needed, " + Doctor.human(free) + " free at " + where
                        + "; free some space or use another --state-dir");
            }
        }
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
    private long processMemory(InspectContainerResponse prod) {
        long rss = 0;
        try {
            var top = engine.client().topContainerCmd(prod.getId()).withPsArgs("-eo pid").exec();
            for (String[] row : top.getProcesses()) {
                Path status = Path.of("/proc", row[0].strip(), "status");
                if (Files.isReadable(status)) {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmRSS:")) {
                            rss += Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // an estimate only: fall back to no memory figure
        }
        return rss;
    }

    private static void writeMarker(Path cloneUpper, String clone, String production) throws IOException {
        Path marker = cloneUpper.resolve(CloneNames.MARKER);
        Files.writeString(marker, "clone=" + clone + "\nproduction=" + production + "\n", StandardCharsets.UTF_8);
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
