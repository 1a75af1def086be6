package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds file locks production holds on files the clone would share with it. The clone takes
 * production's locks again when it is restored (CRIU's file-locks), which is right for its own
 * copies of production's files; a read-only mount is shared, not copied, and there the clone
 * would wait for production's own lock for ever. Found before production is frozen.
 */
final class SharedFileLocks {

    /** One lock of /proc/locks: who holds it, on which device and inode. */
    record Lock(long pid, String kind, long major, long minor, long inode) {
    }

    private final Path proc;

    SharedFileLocks(Path proc) {
        this.proc = proc;
    }

    /**
     * Fails with one line naming the process, the file and the mount when a process of
     * {@code pids} holds a lock on a file under a mount the clone shares with production.
     */
    void requireNone(String container, Collection<Long> pids, List<MountPlan> mounts) {
        List<MountPlan> shared = mounts.stream().filter(MountPlan::shared).toList();
        if (shared.isEmpty()) {
            return;
        }
        for (Lock lock : locks()) {
            if (!pids.contains(lock.pid())) {
                continue;
            }
            Optional<String> file = openFile(lock);
            if (file.isEmpty()) {
                continue;
            }
            for (MountPlan m : shared) {
                String dest = m.destination().endsWith("/") ? m.destination() : m.destination() + "/";
                if (file.get().startsWith(dest) || file.get().equals(m.destination())) {
                    throw new ParikshanException("cannot clone " + container + ": " + comm(lock.pid()) + " (pid " + lock.pid()
                            + ") holds a " + lock.kind() + " lock on " + file.get() + ", on the read-only mount "
                            + m.destination() + " that a clone shares with production, so the clone could never take it "
                            + "again; mount " + m.destination() + " writable (the clone then gets its own copy) or release the lock");
                }
            }
        }
    }

    /**
     * What the clone will lack: a POSIX lock on a file its holder also maps into memory (SQLite's
     * WAL index, {@code -shm}). CRIU restores locks before the task's file mappings, and the
     * restorer's close of the mapping's descriptor drops the task's POSIX locks on that file. The
     * clone runs with the data, without that lock; said to the user, not refused.
     */
    List<String> lostInClone(Collection<Long> pids) {
        List<String> out = new ArrayList<>();
        for (Lock lock : locks()) {
            if (!lock.kind().equals("POSIX") || !pids.contains(lock.pid()) || !maps(lock)) {
                continue;
            }
            String file = openFile(lock).orElse("inode " + lock.inode());
            out.add(comm(lock.pid()) + " (pid " + lock.pid() + ") holds a POSIX lock on " + file
                    + ", which it also maps into memory; CRIU restores the clone's process without that lock");
        }
        return out;
    }

    /** Whether the lock's holder maps the locked file ({@code /proc/PID/maps}: {@code fe:00 1311}). */
    private boolean maps(Lock lock) {
        try {
            for (String line : Files.readAllLines(proc.resolve(Long.toString(lock.pid())).resolve("maps"))) {
                String[] f = line.strip().split("\\s+");
                if (f.length >= 5 && f[4].equals(Long.toString(lock.inode()))) {
                    String[] dev = f[3].split(":");
                    if (dev.length == 2 && Long.parseLong(dev[0], 16) == lock.major() && Long.parseLong(dev[1], 16) == lock.minor()) {
                        return true;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    List<Lock> locks() {
        List<Lock> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(proc.resolve("locks"))) {
                parse(line).ifPresent(out::add);
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    /** {@code 1: FLOCK  ADVISORY  WRITE 812 00:2e:1311 0 EOF}; blocked waiters ({@code ->}) are skipped. */
    static Optional<Lock> parse(String line) {
        if (line.contains("->")) {
            return Optional.empty();
        }
        String[] f = line.strip().split("\\s+");
        if (f.length < 6) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(f[4]);
            String[] dev = f[5].split(":");
            return Optional.of(new Lock(pid, f[1], Long.parseLong(dev[0], 16), Long.parseLong(dev[1], 16), Long.parseLong(dev[2])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The path (as the process sees it) of the open file the lock is on, found among the holder's descriptors. */
    private Optional<String> openFile(Lock lock) {
        Path fds = proc.resolve(Long.toString(lock.pid())).resolve("fd");
        try (Stream<Path> s = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    Map<String, Object> a = Files.readAttributes(fd, "unix:dev,ino");
                    long dev = (Long) a.get("dev");
                    if ((Long) a.get("ino") == lock.inode() && major(dev) == lock.major() && minor(dev) == lock.minor()) {
                        return Optional.of(Files.readSymbolicLink(fd).toString());
                    }
                } catch (IOException | RuntimeException gone) {
                    // closed meanwhile, or not a file
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xfffff000L);
    }

    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
    }

    private String comm(long pid) {
        try {
            return Files.readString(proc.resolve(Long.toString(pid)).resolve("comm")).strip();
        } catch (IOException e) {
            return "a process";
        }
    }
}
