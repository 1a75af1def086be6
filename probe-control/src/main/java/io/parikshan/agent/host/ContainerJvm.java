package io.parikshan.agent.host;

import io.parikshan.contract.Contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds the Java process of a Parikshan clone (a runc container under Parikshan's own runc root)
 * or of a Docker container: its init pid, or its first java descendant.
 */
public final class ContainerJvm {

    private ContainerJvm() {
    }

    public static JvmTarget find(String container) throws IOException {
        long init = initPid(container);
        List<Long> candidates = new ArrayList<>();
        candidates.add(init);
        candidates.addAll(descendants(init));
        for (long pid : candidates) {
            if (isJava(pid)) {
                return new JvmTarget(pid, Path.of("/proc", Long.toString(pid), "root"),
                        "container " + container + " (pid " + pid + ")");
            }
        }
        throw new IOException("container '" + container + "' runs no java process (init pid " + init
                + "); check `docker top " + container + "`");
    }

    /** Where Parikshan's clones have their runc state (the clone manager's CloneRuntime.ROOT too). */
    static final Path CLONES_RUNC_ROOT = Path.of(Contract.CLONES_RUNC_ROOT);

    static long initPid(String container) throws IOException {
        if (!container.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("'" + container + "' is not a container name or id");
        }
        if (Files.isDirectory(CLONES_RUNC_ROOT.resolve(container))) {
            return clonePid(container);
        }
        ProcessBuilder pb = new ProcessBuilder("docker", "inspect", "--format", "{{.State.Running}} {{.State.Pid}}",
                container).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run the docker CLI (" + e.getMessage() + "): install docker or put it on PATH");
        }
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("docker inspect " + container + " did not answer within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while inspecting " + container);
        }
        if (p.exitValue() != 0) {
            throw new IOException("no container '" + container + "': " + out.lines().findFirst().orElse(""));
        }
        String[] parts = out.split(" ");
        if (parts.length != 2 || !"true".equals(parts[0]) || "0".equals(parts[1])) {
            throw new IOException("container '" + container + "' is not running; start it first");
        }
        return Long.parseLong(parts[1]);
    }

    /** A clone's init pid from runc's state ({@code "pid": N, "status": "running"}). */
    private static long clonePid(String clone) throws IOException {
        String out = run(List.of("runc", "--root", CLONES_RUNC_ROOT.toString(), "state", clone), "runc state " + clone);
        java.util.regex.Matcher pid = java.util.regex.Pattern.compile("\"pid\":\\s*(\\d+)").matcher(out);
        if (!out.contains("\"status\": \"running\"") || !pid.find() || pid.group(1).equals("0")) {
            throw new IOException("clone '" + clone + "' is not running; see 'parikshan list'");
        }
        return Long.parseLong(pid.group(1));
    }

    private static String run(List<String> command, String what) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(what + " failed: " + out.strip().lines().reduce((a, b) -> b).orElse(""));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + what);
        }
    }

    private static List<Long> descendants(long root) throws IOException {
        List<long[]> pairs = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long ppid = parentOf(p);
                if (ppid > 0) {
                    pairs.add(new long[]{Long.parseLong(n), ppid});
                }
            }
        }
        List<Long> found = new ArrayList<>();
        List<Long> frontier = new ArrayList<>(List.of(root));
        while (!frontier.isEmpty()) {
            List<Long> next = new ArrayList<>();
            for (long[] pair : pairs) {
                if (frontier.contains(pair[1])) {
                    next.add(pair[0]);
                }
            }
            found.addAll(next);
            frontier = next;
        }
        return found;
    }

    private static long parentOf(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            // Fields after the parenthesised command: state ppid ...
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(rest[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean isJava(long pid) {
        try {
            Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"));
            return exe.getFileName().toString().equals("java");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
