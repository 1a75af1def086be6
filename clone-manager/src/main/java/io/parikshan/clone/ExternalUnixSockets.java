package io.parikshan.clone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Unix-socket connections from the container to a process outside it (a host daemon's socket
 * bind-mounted in, say). CRIU cannot dump the far end ("External socket is used"), and finds
 * out only once production is frozen; found here before. The peers come from {@code ss} in the
 * container's network namespace (the kernel's socket diagnostics name each socket's peer
 * inode); a peer none of the container's processes holds is outside.
 */
final class ExternalUnixSockets {

    private final Path proc;

    ExternalUnixSockets(Path proc) {
        this.proc = proc;
    }

    List<CheckpointBlockers.Blocker> find(long initPid, Collection<Long> pids) {
        Map<Long, long[]> held = socketsOf(pids); // socket inode -> {pid, fd}
        if (held.isEmpty()) {
            return List.of();
        }
        HostCommand.Result ss = HostCommand.run(List.of("nsenter", "-t", Long.toString(initPid), "-n",
                "ss", "-x", "-a", "-n", "-H"), Duration.ofSeconds(20));
        if (!ss.ok()) {
            return List.of(); // no ss: CRIU's own check still stands, after the freeze
        }
        List<CheckpointBlockers.Blocker> out = new ArrayList<>();
        for (String line : ss.stdout().lines().toList()) {
            parse(line).ifPresent(p -> {
                long[] owner = held.get(p[0]);
                if (owner != null && p[1] != 0 && !held.containsKey(p[1])) {
                    out.add(new CheckpointBlockers.Blocker(owner[0], comm(owner[0]),
                            "holds a unix socket connected to a process outside the container (fd " + owner[1] + ")",
                            "run the other end inside the container, or clone while that connection is closed"));
                }
            });
        }
        return out;
    }

    /** {@code u_str ESTAB 0 0 /sock/s 74563 * 74564}: the local and the peer inode. */
    static Optional<long[]> parse(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 8 || !f[1].equals("ESTAB")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new long[] {Long.parseLong(f[f.length - 3]), Long.parseLong(f[f.length - 1])});
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Map<Long, long[]> socketsOf(Collection<Long> pids) {
        Map<Long, long[]> out = new HashMap<>();
        for (long pid : pids) {
            try (Stream<Path> fds = Files.list(proc.resolve(Long.toString(pid)).resolve("fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            out.putIfAbsent(Long.parseLong(target.substring(8, target.length() - 1)),
                                    new long[] {pid, Long.parseLong(fd.getFileName().toString())});
                        }
                    } catch (IOException | RuntimeException closed) {
                        // gone meanwhile
                    }
                }
            } catch (IOException gone) {
                // the process ended
            }
        }
        return out;
    }

    private String comm(long pid) {
        try {
            return Files.readString(proc.resolve(Long.toString(pid)).resolve("comm")).strip();
        } catch (IOException e) {
            return "a process";
        }
    }
}
