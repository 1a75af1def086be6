package io.parikshan.agent.host;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JVM to attach to: its pid as the host sees it, and the path under which the host sees the
 * target's root filesystem ({@code /proc/<pid>/root}; for a process on the host that is just "/").
 */
public record JvmTarget(long hostPid, Path root, String description) {

    public JvmTarget {
        if (hostPid <= 0) {
            throw new IllegalArgumentException("pid " + hostPid + " is not a process id");
        }
    }

    /** A JVM by host pid; its filesystem is reached through /proc so containers work too. */
    public static JvmTarget ofPid(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(proc)) {
            throw new IllegalArgumentException("no process with pid " + pid + ": check the pid with ps or jps");
        }
        return new JvmTarget(pid, proc.resolve("root"), "pid " + pid);
    }

    /** Host path of a path inside the target, e.g. {@code /tmp/parikshan/reply.txt}. */
    public Path hostPath(Path inTarget) {
        return root.resolve(Path.of("/").relativize(inTarget.toAbsolutePath()));
    }
}
