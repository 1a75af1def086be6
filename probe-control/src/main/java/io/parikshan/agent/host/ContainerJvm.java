package io.parikshan.agent.host;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.parikshan.clone.CloneManager;
import io.parikshan.clone.CloneRuntime;
import io.parikshan.clone.DockerEngine;
import io.parikshan.clone.HostCommand;
import io.parikshan.clone.remote.Ssh;
import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the Java process of a Parikshan clone (a runc container under Parikshan's own runc root,
 * asked through {@link CloneRuntime}) or of a Docker container (the engine's inspect, through
 * {@link DockerEngine} at DOCKER_HOST or the default socket): its init pid, or its first java descendant.
 * A clone on a test host (its record here names one) is looked for there, over SSH.
 */
public final class ContainerJvm {

    private ContainerJvm() {
    }

    /** Finds shell-side the first java process among a pid and its descendants there; prints its pid. */
    static final String FIND_JAVA = """
            q=$1
            while [ -n "$q" ]; do
              set -- $q; p=$1; shift; q="$*"
              case $(readlink /proc/$p/exe 2>/dev/null) in */java) echo "$p"; exit 0;; esac
              q="$q $(cat /proc/$p/task/*/children 2>/dev/null)"
            done
            exit 3
            """;

    /** @param stateRoot Parikshan's state directory here, where a clone on a test host has its record */
    public static JvmTarget find(String container, Path stateRoot) throws IOException {
        Optional<Ssh> testHost = testHostOf(container, stateRoot);
        if (testHost.isPresent()) {
            return onTestHost(container, testHost.get(), stateRoot);
        }
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

    /** The test host a clone of this name runs on, if it is one of Parikshan's clones there. */
    private static Optional<Ssh> testHostOf(String container, Path stateRoot) {
        if (!container.matches("[A-Za-z0-9][A-Za-z0-9_.-]*") || Files.isDirectory(CloneRuntime.ROOT.resolve(container))) {
            return Optional.empty();
        }
        return CloneRuntime.of(container, stateRoot).ssh();
    }

    /** The clone's java process on its test host: its runc state there, its process tree read there. */
    private static JvmTarget onTestHost(String clone, Ssh ssh, Path stateRoot) throws IOException {
        long init = CloneRuntime.of(clone, stateRoot).state(clone).filter(CloneRuntime.State::running)
                .orElseThrow(() -> new IOException("clone '" + clone + "' is not running on test host " + ssh.target()
                        + " (or the test host cannot be reached); see 'parikshan list'"))
                .pid();
        HostCommand.Result r;
        try {
            r = ssh.run(List.of("sh", "-c", FIND_JAVA, "sh", Long.toString(init)), Duration.ofSeconds(60));
        } catch (ParikshanException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!r.ok() || !r.stdout().strip().matches("\\d+")) {
            throw new IOException("clone '" + clone + "' runs no java process on test host " + ssh.target() + " (init pid "
                    + init + "); check 'parikshan exec " + clone + " ps'");
        }
        long pid = Long.parseLong(r.stdout().strip());
        return new JvmTarget(pid, Path.of("/proc", Long.toString(pid), "root"),
                "clone " + clone + " on test host " + ssh.target() + " (pid " + pid + " there)", ssh);
    }

    static long initPid(String container) throws IOException {
        if (!container.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("'" + container + "' is not a container name or id");
        }
        if (Files.isDirectory(CloneRuntime.ROOT.resolve(container))) {
            return clonePid(container);
        }
        InspectContainerResponse.ContainerState state;
        try (DockerEngine engine = DockerEngine.connect(null)) {
            state = engine.inspect(container).orElseThrow(() -> new IOException("no container '" + container
                    + "': see 'docker ps' for running containers and 'parikshan list' for clones (give a clone on a test host "
                    + "the --state-dir it was made with)")).getState();
        } catch (RuntimeException e) {
            throw new IOException("cannot inspect container '" + container + "' (" + e.getMessage()
                    + "): is the Docker engine running? start it with deploy/host/setup.sh");
        }
        Long pid = state.getPidLong();
        if (!Boolean.TRUE.equals(state.getRunning()) || pid == null || pid == 0) {
            throw new IOException("container '" + container + "' is not running; start it first");
        }
        return pid;
    }

    /** A clone's init pid from the clones' own runc. */
    private static long clonePid(String clone) throws IOException {
        try {
            return new CloneRuntime().state(clone).filter(CloneRuntime.State::running)
                    .orElseThrow(() -> new IOException("clone '" + clone + "' is not running; see 'parikshan list'"))
                    .pid();
        } catch (ParikshanException e) {
            throw new IOException(e.getMessage(), e);
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
