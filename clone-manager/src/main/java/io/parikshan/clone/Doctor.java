package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks everything a live clone needs from the host, one {@link HostCheck} each. The checks
 * run side by side (they are independent: engine calls and short host programs). {@code criu
 * check} is the slow one; a full run records when it passed, and the clone path trusts that
 * record for an hour while CRIU and the kernel stay the same.
 */
public final class Doctor {

    public static final String CRIU_MIN = "4.2";
    static final long MIN_FREE_BYTES = 1L << 30;
    static final Path RUNC_CONF = Path.of("/etc/criu/runc.conf");
    static final Duration CRIU_CHECK_TRUSTED = Duration.ofHours(1);
    private static final Path KERNEL_RELEASE = Path.of("/proc/sys/kernel/osrelease");
    private static final Pattern CRIU_VERSION = Pattern.compile("Version:\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    private static final String SETUP = "run deploy/host/setup.sh as root";

    private final DockerEngine engine;
    private final Path stateRoot;
    private final Path runcRoot;

    public Doctor(DockerEngine engine, Path stateRoot) {
        this(engine, stateRoot, CheckpointDumper.DEFAULT_RUNC_ROOT);
    }

    Doctor(DockerEngine engine, Path stateRoot, Path runcRoot) {
        this.engine = engine;
        this.stateRoot = stateRoot;
        this.runcRoot = runcRoot;
    }

    /** All checks, in the order a user would fix them; always runs {@code criu check}. */
    public List<HostCheck> checks() {
        return run(false);
    }

    /** Throws the first failing check's one-line problem; trusts a recent passing {@code criu check}. */
    public void requireAll() {
        for (HostCheck c : run(true)) {
            if (!c.ok()) {
                throw new ParikshanException(c.problem());
            }
        }
    }

    private List<HostCheck> run(boolean trustRecentCriuCheck) {
        List<Supplier<List<HostCheck>>> groups = new ArrayList<>(List.of(
                () -> List.of(root()),
                () -> {
                    HostCheck eng = engine();
                    return eng.ok() ? List.of(eng, guard("experimental", this::experimental)) : List.of(eng);
                },
                () -> List.of(guard("criu", () -> criu(stateRoot.resolve(CRIU_CHECK_STAMP), trustRecentCriuCheck))),
                () -> List.of(guard("criu config", Doctor::criuConfig)),
                () -> List.of(guard("other users", Doctor::otherUsers)),
                () -> List.of(guard("runc", this::runc)),
                () -> List.of(guard("rsync", () -> tool("rsync", List.of("rsync", "--version")))),
                () -> List.of(guard("iptables", Doctor::iptables)),
                () -> List.of(guard("disk", () -> disk(engine.reachable() ? engine.rootDir() : stateRoot)))));
        if (!trustRecentCriuCheck) {
            groups.add(() -> List.of(guard("dirty tracking", Doctor::memoryTracking)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(groups.size(), r -> {
            Thread t = new Thread(r, "parikshan-doctor");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<List<HostCheck>>> running = groups.stream()
                    .map(g -> CompletableFuture.supplyAsync(g, pool)).toList();
            List<HostCheck> out = new ArrayList<>();
            running.forEach(f -> out.addAll(f.join()));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static HostCheck root() {
        long uid = effectiveUid();
        return uid == 0 ? HostCheck.pass("root", "running as root")
                : HostCheck.fail("root", "running as uid " + uid,
                        "CRIU and the sandbox firewall need root; rerun with sudo");
    }

    HostCheck engine() {
        try {
            engine.requireReachable();
            // Clones are restored by runc, never by the engine (whose restore is broken from Docker
            // 28 on), so every engine that runs containers under runc can be cloned from.
            return HostCheck.pass("docker engine", "reachable at " + engine.host()
                    + " (Docker " + engine.serverVersion() + "); clones restore through runc, not the engine: supported");
        } catch (ParikshanException e) {
            return HostCheck.fail("docker engine", "not reachable at " + engine.host(),
                    "start it with deploy/host/setup.sh (or dockerd)");
        }
    }

    HostCheck experimental() {
        return engine.experimental() ? HostCheck.pass("experimental", "on (checkpoint/restore available)")
                : HostCheck.fail("experimental", "off",
                        "set {\"experimental\": true} in /etc/docker/daemon.json and restart dockerd, or "
                                + SETUP);
    }

    static HostCheck criu() {
        return criu(null, false);
    }

    /**
     * @param stamp where a passing {@code criu check} is recorded (null: nowhere)
     * @param trust skip {@code criu check} when the record is recent and for the same CRIU and kernel
     */
    static HostCheck criu(Path stamp, boolean trust) {
        Optional<Path> criu = onPath("criu");
        if (criu.isEmpty()) {
            return HostCheck.fail("criu", "not found on PATH", "CRIU >= " + CRIU_MIN + " is needed; " + SETUP);
        }
        HostCommand.Result v = HostCommand.run(List.of(criu.get().toString(), "--version"), Duration.ofSeconds(20));
        Matcher m = CRIU_VERSION.matcher(v.stdout());
        if (!m.find()) {
            return HostCheck.fail("criu", criu.get() + " printed no version", "reinstall it; " + SETUP);
        }
        String version = m.group(1) + "." + m.group(2) + (m.group(3) == null ? "" : "." + m.group(3));
        if (!atLeast(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), CRIU_MIN)) {
            return HostCheck.fail("criu", criu.get() + " is version " + version + ", older than " + CRIU_MIN,
                    "older CRIU cannot dump TCP sockets on this kernel; " + SETUP);
        }
        String passed = criu.get() + " version " + version + ", 'criu check' passes";
        String key = passed + " on kernel " + kernelRelease();
        if (trust && stamp != null && recentlyPassed(stamp, key)) {
            return HostCheck.pass("criu", passed + " (recorded " + CRIU_CHECK_STAMP + ")");
        }
        HostCommand.Result check = HostCommand.run(List.of(criu.get().toString(), "check"), Duration.ofSeconds(60));
        if (!check.ok()) {
            return HostCheck.fail("criu", "'criu check' fails: " + check.reason(),
                    "the kernel lacks a feature CRIU needs; " + SETUP);
        }
        if (stamp != null) {
            record(stamp, key);
        }
        return HostCheck.pass("criu", passed);
    }

    static final String CRIU_CHECK_STAMP = "criu-check-passed";

    private static boolean recentlyPassed(Path stamp, String key) {
        try {
            return Files.getLastModifiedTime(stamp).toInstant().isAfter(Instant.now().minus(CRIU_CHECK_TRUSTED))
                    && Files.readString(stamp).strip().equals(key);
        } catch (IOException e) {
            return false;
        }
    }

    /** Best effort: without the record the next clone simply runs {@code criu check} again. */
    private static void record(Path stamp, String key) {
        try {
            if (Files.isDirectory(stamp.getParent())) {
                Files.writeString(stamp, key + "\n");
            }
        } catch (IOException e) {
            // unrecorded, the next clone runs criu check again: slower, not wrong
        }
    }

    /** This host's kernel release, or "?" when /proc does not say. */
    public static String kernelRelease() {
        try {
            return Files.readString(KERNEL_RELEASE).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Informational, never fails: without soft-dirty tracking CRIU cannot pre-dump memory while
     * production runs, so the frozen window holds one full memory dump.
     */
    static HostCheck memoryTracking() {
        HostCommand.Result r = HostCommand.run(List.of("criu", "check", "--feature", "mem_dirty_track"), Duration.ofSeconds(30));
        return HostCheck.pass("dirty tracking", r.ok()
                ? "soft-dirty tracking on (iterative pre-copy possible; clones use one memory dump)"
                : "soft-dirty tracking off on this kernel: no iterative pre-copy, one memory dump while frozen");
    }

    /**
     * CRIU reads each task's limits with prlimit(), which needs CAP_SYS_RESOURCE for a task of
     * another user; where root lacks it (some VMs and sandboxes), the patched CRIU that
     * setup.sh builds reads them from /proc instead.
     */
    static HostCheck otherUsers() {
        boolean cap = Capabilities.hasSysResource();
        if (cap) {
            return HostCheck.pass("other users", "root has CAP_SYS_RESOURCE: processes of any user can be dumped");
        }
        return Capabilities.criuHasRlimitsPatch()
                ? HostCheck.pass("other users", "root lacks CAP_SYS_RESOURCE; CRIU reads other users' limits from /proc "
                        + "(patch " + Capabilities.RLIMITS_PATCH + "): processes of any user can be dumped")
                : HostCheck.fail("other users", "root lacks CAP_SYS_RESOURCE and this CRIU cannot read the limits of "
                        + "processes of other users (nginx workers, postgres, memcached -u ...)",
                        "install the patched CRIU: " + SETUP);
    }

    static HostCheck criuConfig() {
        try {
            if (Files.isRegularFile(RUNC_CONF)
                    && Files.readAllLines(RUNC_CONF).stream().anyMatch(l -> l.strip().equals("tcp-close"))) {
                return HostCheck.pass("criu config", RUNC_CONF + " has tcp-close");
            }
        } catch (IOException e) {
            // reported below
        }
        return HostCheck.fail("criu config", RUNC_CONF + " lacks the line tcp-close",
                "without it a container with open connections cannot be cloned; " + SETUP);
    }

    /**
     * runc on PATH. The engine's runc state directory appears only when its first container
     * starts, so a fresh engine without it is fine: production, running, always has it.
     */
    HostCheck runc() {
        HostCheck t = tool("runc", List.of("runc", "--version"));
        if (!t.ok()) {
            return t;
        }
        String engineState = Files.isDirectory(runcRoot) ? "engine's containers in " + runcRoot
                : "engine's containers will be in " + runcRoot + " once one runs";
        return HostCheck.pass("runc", t.detail() + "; clones in " + CloneRuntime.ROOT + ", " + engineState);
    }

    static HostCheck iptables() {
        HostCommand.Result r = HostCommand.run(List.of("iptables", "-w", "-n", "-L", "DOCKER-USER"), Duration.ofSeconds(30));
        return r.ok() ? HostCheck.pass("iptables", "chain DOCKER-USER present")
                : HostCheck.fail("iptables", "chain DOCKER-USER unavailable (" + r.reason() + ")",
                        "the sandbox needs Docker's iptables integration; " + SETUP);
    }

    HostCheck disk(Path dockerRoot) {
        long free = Math.min(usable(dockerRoot), usable(stateRoot));
        String detail = human(free) + " free for the clones' copies of production's files (" + dockerRoot + ", " + stateRoot + "); images go to memory";
        return free >= MIN_FREE_BYTES ? HostCheck.pass("disk", detail)
                : HostCheck.fail("disk", "only " + detail, "free at least " + human(MIN_FREE_BYTES));
    }

    static long usable(Path p) {
        Path q = p;
        while (q != null && !Files.exists(q)) {
            q = q.getParent();
        }
        try {
            return q == null ? 0 : Files.getFileStore(q).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    static HostCheck tool(String name, List<String> versionCommand) {
        if (onPath(versionCommand.get(0)).isEmpty()) {
            return HostCheck.fail(name, "not found on PATH", SETUP);
        }
        HostCommand.Result r = HostCommand.run(versionCommand, Duration.ofSeconds(20));
        String first = r.stdout().strip().lines().findFirst().orElse("");
        return r.ok() ? HostCheck.pass(name, first) : HostCheck.fail(name, r.reason(), SETUP);
    }

    static Optional<Path> onPath(String program) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public static boolean atLeast(int major, int minor, String min) {
        String[] m = min.split("\\.");
        int mj = Integer.parseInt(m[0]);
        int mn = Integer.parseInt(m[1]);
        return major > mj || (major == mj && minor >= mn);
    }

    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.split("\\s+")[2]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // -1, unknown: the root check then fails naming uid -1, which is as much as can be said
        }
        return -1;
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format("%.1f MiB", bytes / (double) (1L << 20));
    }

    private static HostCheck guard(String name, Supplier<HostCheck> check) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            return HostCheck.fail(name, DockerEngine.rootMessage(e), SETUP);
        }
    }
}
