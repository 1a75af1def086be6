package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Freezes and thaws a container's processes through its cgroup freezer, as {@code docker pause}
 * does, without the engine's round trips (about 30 ms each way) inside production's frozen
 * window. cgroup v1 ({@code freezer.state}) and v2 ({@code cgroup.freeze}) are both handled.
 * Docker never sees the container as paused; {@link #close()} always thaws.
 */
final class Freezer implements CheckpointDumper.Frozen {

    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final long POLL_NANOS = 200_000;
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    private final Path cgroup;
    private final boolean v2;

    private Freezer(Path cgroup, boolean v2) {
        this.cgroup = cgroup;
        this.v2 = v2;
    }

    /** Cgroups frozen by this JVM and not thawed yet: the exit hook thaws them. */
    private static final Set<Freezer> FROZEN = ConcurrentHashMap.newKeySet();

    static {
        // Ctrl-C or SIGTERM in the middle of a clone must not leave production frozen.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> FROZEN.forEach(Freezer::close), "parikshan-thaw-production"));
    }

    /** Freezes the cgroup of the process {@code pid} (the container's init) and waits until it is frozen. */
    static Freezer freeze(long pid) {
        Freezer f = of(pid, CGROUP_ROOT);
        FROZEN.add(f);
        try {
            f.write(true);
            f.awaitFrozen();
            return f;
        } catch (RuntimeException e) {
            try {
                f.close();
            } catch (RuntimeException thaw) {
                e.addSuppressed(thaw);
            }
            throw e;
        }
    }

    /** Finds the freezer cgroup of {@code pid} from /proc/PID/cgroup. */
    static Freezer of(long pid, Path cgroupRoot) {
        Path procCgroup = Path.of("/proc", Long.toString(pid), "cgroup");
        try {
            Optional<String> v1 = Files.readAllLines(procCgroup).stream()
                    .map(l -> l.split(":", 3))
                    .filter(p -> p.length == 3 && p[1].equals("freezer"))
                    .map(p -> p[2]).findFirst();
            if (v1.isPresent()) {
                return new Freezer(cgroupRoot.resolve("freezer").resolve(relative(v1.get())), false);
            }
            Optional<String> unified = Files.readAllLines(procCgroup).stream()
                    .filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst();
            if (unified.isPresent()) {
                return new Freezer(cgroupRoot.resolve(relative(unified.get())), true);
            }
        } catch (IOException e) {
            throw new ParikshanException("cannot read " + procCgroup + " (" + e.getMessage()
                    + "); is the container still running?");
        }
        throw new ParikshanException("no freezer cgroup for process " + pid + " in " + procCgroup
                + "; the host needs the cgroup freezer (docker pause uses it too)");
    }

    Path cgroup() {
        return cgroup;
    }

    /** Thaws; safe to call more than once. */
    @Override
    public void close() {
        write(false);
        FROZEN.remove(this);
    }

    private static String relative(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private void write(boolean frozen) {
        Path file = cgroup.resolve(v2 ? "cgroup.freeze" : "freezer.state");
        String value = v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new ParikshanException("cannot write " + value + " to " + file + ": " + e.getMessage());
        }
    }

    /**
     * v1 reports FREEZING until every task stopped, and FROZEN is written again meanwhile (as runc
     * does) so a task forked during the freeze is caught; v2 says "frozen 1" in cgroup.events.
     */
    private void awaitFrozen() {
        Path file = cgroup.resolve(v2 ? "cgroup.events" : "freezer.state");
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        try {
            while (true) {
                String state = Files.readString(file);
                if (v2 ? state.lines().anyMatch(l -> l.strip().equals("frozen 1")) : state.strip().equals("FROZEN")) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new ParikshanException("production's processes did not freeze within 10 s ("
                            + file + " says " + state.strip() + "); it was thawed again, nothing was cloned");
                }
                LockSupport.parkNanos(POLL_NANOS);
                if (!v2) {
                    write(true);
                }
            }
        } catch (IOException e) {
            throw new ParikshanException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
