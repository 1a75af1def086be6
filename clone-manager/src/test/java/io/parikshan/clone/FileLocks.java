package io.parikshan.clone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * File locks as the kernel has them, read from the host's /proc/locks: a lock names its owner
 * (a host pid) and its file as {@code major:minor:inode}. A restored lock must name the clone's
 * own copy of the file, never production's file.
 */
final class FileLocks {

    private FileLocks() {
    }

    /** The files {@code pid} holds a granted lock on (waiters, the "->" lines, excluded). */
    static Set<String> heldBy(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .map(l -> l.strip().split("\\s+"))
                .filter(f -> f.length >= 6 && !f[1].equals("->") && f[4].equals(Long.toString(pid)))
                .map(f -> f[5])
                .collect(Collectors.toSet());
    }

    /** A file as /proc/locks names it; {@code file} is seen from the host, e.g. through /proc/PID/root. */
    static String id(Path file) throws IOException {
        long dev = (Long) Files.getAttribute(file, "unix:dev");
        long ino = (Long) Files.getAttribute(file, "unix:ino");
        // glibc's encoding of st_dev, printed by the kernel as %02x:%02x
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return String.format("%02x:%02x:%d", major, minor, ino);
    }

    /** {@code path} inside the mount namespace of {@code pid}, from the host. */
    static Path inside(long pid, String path) {
        return Path.of("/proc/" + pid + "/root" + path);
    }
}
