package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What in a running container CRIU will refuse to dump, found in /proc before production is
 * frozen: a dump that fails after the freeze costs production a pause and the user a CRIU log
 * to read. Only refusals confirmed in CRIU 4.2.1's source are reported:
 * <ul>
 * <li>an open file on the anonymous-inode file system of a kind CRIU has no dumper for
 *     ({@code dump_one_file} in criu/files.c), e.g. {@code anon_inode:[io_uring]};</li>
 * <li>a memory mapping of such a file ({@code vma_get_mapfile} in criu/proc_parse.c: "Unknown
 *     shit"), which is how io_uring's rings stay reachable;</li>
 * <li>a process in a namespace nested below the container's, of a kind CRIU dumps only at the
 *     root of the tree ({@code generate_ns_id} in criu/namespaces.c; mount and network may nest);</li>
 * <li>a process traced by another ({@code PTRACE_SEIZE} fails: "Unseizable non-zombie").</li>
 * </ul>
 * Pure reading of a /proc tree, so tests give it a fake one.
 */
public final class CheckpointBlockers {

    public static final Path PROC = Path.of("/proc");

    /**
     * Anonymous-inode kinds CRIU dumps (criu/files.c). {@code bpf-map} is missing on purpose:
     * CRIU dumps it only when built with libbpf, and the set-up's build is not.
     */
    static final Set<String> DUMPABLE_ANON = Set.of(
            "[eventfd]", "[eventpoll]", "inotify", "[fanotify]", "[signalfd]", "[timerfd]", "[pidfd]");

    /** Namespaces CRIU takes only from the root task: a different one in a descendant is "nested". */
    static final List<String> ROOT_ONLY_NAMESPACES = List.of("user", "pid", "ipc", "uts", "cgroup", "time");

    /** One thing CRIU will refuse, in the user's terms. */
    public record Blocker(long pid, String process, String problem, String fix) {
        /** E.g. "mariadbd (pid 812) holds an io_uring instance (fd 14), which CRIU cannot checkpoint; for MariaDB ...". */
        public String line() {
            return process + " (pid " + pid + ") " + problem + ", which CRIU cannot checkpoint; " + fix;
        }
    }

    private final Path proc;

    public CheckpointBlockers(Path proc) {
        this.proc = proc;
    }

    /** Everything in the container whose init is {@code initPid} (it and its descendants) that CRIU will refuse. */
    public List<Blocker> inspect(long initPid) {
        return inspect(initPid, processTree(initPid));
    }

    /** Like {@link #inspect(long)} for a given list of the container's processes (host pids). */
    public List<Blocker> inspect(long initPid, Collection<Long> pids) {
        Map<String, String> rootNs = namespaces(initPid);
        Map<String, String> hostNs = namespaces(1);
        List<Blocker> found = new ArrayList<>();
        for (long pid : pids) {
            String comm = comm(pid);
            if (comm == null) {
                continue; // gone meanwhile: nothing left to dump
            }
            found.addAll(anonFiles(pid, comm));
            tracer(pid).ifPresent(t -> found.add(new Blocker(pid, comm, "is being traced by pid " + t,
                    "detach the debugger or tracer (gdb, strace) first")));
            if (pid != initPid) {
                found.addAll(nestedNamespaces(pid, comm, rootNs, hostNs));
            }
        }
        return found;
    }

    /**
     * Fails before anything is frozen when CRIU would refuse the container; the message is
     * the first blocker's line, and how many more there are.
     */
    public void requireNone(String container, long initPid) {
        requireNone(container, inspect(initPid));
    }

    /** Throws the one-line description of {@code found} unless it is empty. */
    public static void requireNone(String container, List<Blocker> found) {
        if (!found.isEmpty()) {
            throw new ParikshanException(describe(container, found));
        }
    }

    /** One line for the user: the first blocker, then the others' processes. */
    public static String describe(String container, List<Blocker> found) {
        String first = "cannot clone " + container + ": " + found.get(0).line();
        if (found.size() == 1) {
            return first;
        }
        String others = found.stream().skip(1).map(b -> b.process() + " (pid " + b.pid() + ") " + b.problem())
                .collect(Collectors.joining("; "));
        return first + " (also: " + others + ")";
    }

    /** The process {@code initPid} and all its descendants, parents before children, from the PPid lines in /proc. */
    public List<Long> processTree(long initPid) {
        Map<Long, List<Long>> children = new HashMap<>();
        for (long pid : allPids()) {
            ppid(pid).ifPresent(parent -> children.computeIfAbsent(parent, p -> new ArrayList<>()).add(pid));
        }
        Set<Long> tree = new LinkedHashSet<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(initPid));
        while (!todo.isEmpty()) {
            long pid = todo.removeFirst();
            if (tree.add(pid)) {
                // depth first: each process is followed by its own descendants
                children.getOrDefault(pid, List.of()).stream().sorted(Comparator.reverseOrder()).forEach(todo::addFirst);
            }
        }
        return List.copyOf(tree);
    }

    /**
     * The processes in {@code initPid}'s cgroup (v1: its freezer hierarchy, v2: the unified one),
     * from {@code cgroup.procs}; unlike {@link #processTree} it also sees {@code docker exec}
     * processes, whose parent is outside the container.
     */
    public List<Long> cgroupMembers(Path cgroupRoot, long initPid) {
        Path procs = cgroupDir(cgroupRoot, initPid).resolve("cgroup.procs");
        try {
            return Files.readAllLines(procs).stream().map(String::strip).filter(s -> !s.isEmpty())
                    .map(Long::parseLong).toList();
        } catch (IOException e) {
            throw new ParikshanException("cannot read " + procs + " (" + e.getMessage()
                    + "); is the container still running?");
        }
    }

    private Path cgroupDir(Path cgroupRoot, long pid) {
        List<String> lines = readLines(proc.resolve(Long.toString(pid)).resolve("cgroup"));
        for (String l : lines) {
            String[] p = l.split(":", 3);
            if (p.length == 3 && List.of(p[1].split(",")).contains("freezer")) {
                return cgroupRoot.resolve("freezer").resolve(p[2].replaceFirst("^/+", ""));
            }
        }
        for (String l : lines) {
            if (l.startsWith("0::")) {
                return cgroupRoot.resolve(l.substring(3).replaceFirst("^/+", ""));
            }
        }
        throw new ParikshanException("no cgroup for process " + pid + " in " + proc.resolve(pid + "/cgroup")
                + "; is the container still running?");
    }

    private List<Blocker> anonFiles(long pid, String comm) {
        Path dir = proc.resolve(Long.toString(pid));
        Map<String, Blocker> byKind = new LinkedHashMap<>();
        List<Path> fds = list(dir.resolve("fd")).stream()
                .sorted(Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString()))).toList();
        for (Path fd : fds) {
            String link = readLink(fd);
            if (link != null && link.startsWith("anon_inode:")) {
                String kind = link.substring("anon_inode:".length());
                if (!DUMPABLE_ANON.contains(kind) && !byKind.containsKey(kind)) {
                    byKind.put(kind, new Blocker(pid, comm, AnonKind.of(kind).holds("fd " + fd.getFileName()),
                            AnonKind.of(kind).fix(comm)));
                }
            }
        }
        // A mapping outlives its fd (close after mmap); one line per kind is enough.
        for (String line : readLines(dir.resolve("maps"))) {
            int at = line.indexOf("anon_inode:");
            if (at > 0) {
                String kind = line.substring(at + "anon_inode:".length()).strip();
                if (!byKind.containsKey(kind)) {
                    byKind.put(kind, new Blocker(pid, comm, AnonKind.of(kind).holds("mapped in memory"),
                            AnonKind.of(kind).fix(comm)));
                }
            }
        }
        return List.copyOf(byKind.values());
    }

    private List<Blocker> nestedNamespaces(long pid, String comm, Map<String, String> rootNs, Map<String, String> hostNs) {
        List<Blocker> found = new ArrayList<>();
        Map<String, String> own = namespaces(pid);
        for (String ns : ROOT_ONLY_NAMESPACES) {
            String mine = own.get(ns);
            // CRIU's own (the host's) namespaces are found, not nested
            if (mine != null && rootNs.containsKey(ns) && !mine.equals(rootNs.get(ns)) && !mine.equals(hostNs.get(ns))) {
                found.add(new Blocker(pid, comm, "runs in a " + ns + " namespace of its own, nested in the container's",
                        "start it without creating a " + ns + " namespace (unshare, a sandbox or container inside the container)"));
            }
        }
        return found;
    }

    /** The kinds of anonymous inodes CRIU refuses, worded for the user. */
    private record AnonKind(String what, String generalFix) {
        static AnonKind of(String kind) {
            return switch (kind) {
                case "[io_uring]" -> new AnonKind("an io_uring instance", "start it without io_uring");
                case "[userfaultfd]" -> new AnonKind("a userfaultfd", "start it without userfaultfd");
                case "[perf_event]" -> new AnonKind("a perf event", "stop profiling or tracing it (perf, an APM or eBPF agent) while cloning");
                case "bpf-map", "bpf-prog", "bpf_link", "[bpf_link]", "bpf_iter", "[bpf_iter]" ->
                        new AnonKind("a BPF object (" + kind + ")", "start it without loading BPF programs or maps");
                case "kvm-vm", "kvm-vcpu" -> new AnonKind("a KVM virtual machine (" + kind + ")", "run the virtual machine elsewhere");
                default -> new AnonKind("a file of kind anon_inode:" + kind, "start it so that it does not open one");
            };
        }

        String holds(String where) {
            return "holds " + what + " (" + where + ")";
        }

        String fix(String comm) {
            if (what.equals("an io_uring instance") && (comm.equals("mariadbd") || comm.equals("mysqld"))) {
                return "for MariaDB start it with --innodb-use-native-aio=0";
            }
            return generalFix;
        }
    }

    private Map<String, String> namespaces(long pid) {
        Map<String, String> ns = new HashMap<>();
        for (String kind : ROOT_ONLY_NAMESPACES) {
            String link = readLink(proc.resolve(Long.toString(pid)).resolve("ns").resolve(kind));
            if (link != null) {
                ns.put(kind, link);
            }
        }
        return ns;
    }

    private String comm(long pid) {
        try {
            return Files.readString(proc.resolve(Long.toString(pid)).resolve("comm")).strip();
        } catch (IOException gone) {
            return null; // ended meanwhile (ENOENT, or ESRCH mid-read)
        }
    }

    private Optional<Long> ppid(long pid) {
        return statusField(pid, "PPid:").map(Long::parseLong);
    }

    private Optional<Long> tracer(long pid) {
        return statusField(pid, "TracerPid:").map(Long::parseLong).filter(t -> t != 0);
    }

    private Optional<String> statusField(long pid, String name) {
        return readLines(proc.resolve(Long.toString(pid)).resolve("status")).stream()
                .filter(l -> l.startsWith(name)).map(l -> l.substring(name.length()).strip()).findFirst();
    }

    private List<Long> allPids() {
        return list(proc).stream().map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+"))
                .map(Long::parseLong).toList();
    }

    /** Entries of a directory; none when it is gone or not ours to read (a process ended or another user's). */
    private static List<Path> list(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(entries::add);
        } catch (IOException gone) {
            return List.of();
        }
        return entries;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException gone) {
            return List.of(); // ended meanwhile (ENOENT, or ESRCH mid-read)
        }
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException gone) {
            return null;
        }
    }
}
