package io.parikshan.agent.host;

import io.parikshan.clone.remote.Ssh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A JVM to attach to: its pid as the host it runs on sees it, the path under which that host sees
 * the target's root filesystem ({@code /proc/<pid>/root}; for a process on the host that is just "/"),
 * and that host: this one, or the test host a clone runs on ({@code testHost}, null for this host).
 */
public record JvmTarget(long hostPid, Path root, String description, Ssh testHost) {

    public JvmTarget {
        if (hostPid <= 0) {
            throw new IllegalArgumentException("pid " + hostPid + " is not a process id");
        }
    }

    /** A JVM on this host. */
    public JvmTarget(long hostPid, Path root, String description) {
        this(hostPid, root, description, null);
    }

    /** The files of the host it runs on. */
    public HostFiles host() {
        return testHost == null ? HostFiles.local() : HostFiles.over(testHost);
    }

    public Optional<Ssh> onTestHost() {
        return Optional.ofNullable(testHost);
    }

    /** Its {@code /proc/<pid>} on the host it runs on. */
    public Path proc() {
        return Path.of("/proc", Long.toString(hostPid));
    }

    /** A JVM by host pid; its filesystem is reached through /proc so containers work too. */
    public static JvmTarget ofPid(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(proc)) {
            throw new IllegalArgumentException("no process with pid " + pid + ": check the pid with ps or jps");
        }
        if (!runsJvm(proc)) {
            throw new IllegalArgumentException("pid " + pid + " is not a Java VM (no libjvm.so mapped): "
                    + "give the pid of a java process (see jps)");
        }
        return new JvmTarget(pid, proc.resolve("root"), "pid " + pid);
    }

    /** Whether the process maps libjvm.so; true when that cannot be read (attaching will tell). */
    static boolean runsJvm(Path proc) {
        try (java.util.stream.Stream<String> maps = Files.lines(proc.resolve("maps"))) {
            return maps.anyMatch(l -> l.endsWith("/libjvm.so"));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return true;
        }
    }

    /** Host path of a path inside the target, e.g. {@code /tmp/parikshan/reply.txt}. */
    public Path hostPath(Path inTarget) {
        return root.resolve(Path.of("/").relativize(inTarget.toAbsolutePath()));
    }
}
