package io.parikshan.clone;

import io.parikshan.clone.remote.Ssh;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.contract.Contract;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The clones' own runc: every clone is a runc container under {@link #ROOT}, restored from
 * CRIU's images into a bundle made from production's OCI spec ({@link CloneBundle}). The
 * engine's restore is not used: it is broken on Docker 28 (its network set-up expects a pid the
 * restored task does not have yet), while runc's works the same under every engine, and would
 * work on a host with no engine at all.
 */
public final class CloneRuntime {

    /** runc's state directory for clones; apart from the engine's, so the engine never sees them. */
    public static final Path ROOT = Path.of(Contract.CLONES_RUNC_ROOT);

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(10);

    /** What runc says of a clone. */
    public record State(long pid, String status) {
        public boolean running() {
            return "running".equals(status) && pid > 0;
        }
    }

    private final Path root;
    /** The test host the clones of this runtime run on, or null for this host. */
    private final Ssh testHost;

    /** The runtime clone {@code name} runs under: this host's runc, or its test host's. */
    public static CloneRuntime of(String name, Path stateRoot) {
        return TestHostSite.recorded(new CloneNames(name, stateRoot)).map(CloneRuntime::new).orElseGet(CloneRuntime::new);
    }

    private CloneRuntime(Ssh testHost) {
        this.root = ROOT;
        this.testHost = testHost;
    }

    /** Where the clone runs: {@code user@host[:port]} of its test host, or empty for this host. */
    public Optional<String> testHost() {
        return Optional.ofNullable(testHost).map(t -> t.target().toString());
    }

    /** The connection to the clones' test host, or empty for this host. */
    public Optional<Ssh> ssh() {
        return Optional.ofNullable(testHost);
    }

    public CloneRuntime() {
        this(ROOT);
    }

    CloneRuntime(Path root) {
        this.root = root;
        this.testHost = null;
    }

    /**
     * {@code runc restore --detach}: the clone's processes resume from {@code images}; their
     * standard output and error go to {@code log} (what {@code parikshan logs} shows).
     *
     * @return the clone's state once restored
     */
    State restore(String name, Path bundle, Path images, Path work, Path log) {
        return launch(name, log, List.of("runc", "--root", root.toString(), "restore", "--detach", "--file-locks",
                "--image-path", images.toString(), "--work-path", work.toString(), "--bundle", bundle.toString(), name),
                () -> new CriuFailure("restore", work.resolve("restore.log"), lastLine(log)));
    }

    /**
     * {@code runc run --detach}: a fresh container of the bundle (no checkpoint); its output goes to
     * {@code log}.
     */
    State start(String name, Path bundle, Path log) {
        return launch(name, log, List.of("runc", "--root", root.toString(), "run", "--detach", "--bundle", bundle.toString(), name),
                () -> new ParikshanException("runc could not start " + name + ": " + lastLine(log)
                        + "; see 'parikshan logs " + name + "'"));
    }

    private State launch(String name, Path log, List<String> cmd, java.util.function.Supplier<ParikshanException> failed) {
        try {
            Files.createDirectories(root);
            Files.deleteIfExists(log);
            Files.createFile(log);
        } catch (IOException e) {
            throw new ParikshanException("cannot prepare the clone's runc state in " + root + ": " + e.getMessage());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        int exit;
        try {
            Process p = pb.start();
            if (!p.waitFor(RESTORE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly); // CRIU and the half-restored tasks
                p.destroyForcibly();
                throw new ParikshanException("runc " + cmd.get(3) + " of " + name + " did not finish within "
                        + RESTORE_TIMEOUT.toMinutes() + " min");
            }
            exit = p.exitValue();
        } catch (IOException e) {
            throw new ParikshanException("runc could not be started (" + e.getMessage() + "); install it with deploy/host/setup.sh");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParikshanException("interrupted while restoring " + name);
        }
        if (exit != 0) {
            throw failed.get();
        }
        return state(name).filter(State::running).orElseThrow(() -> new ParikshanException(
                "the clone " + name + " stopped right after " + cmd.get(3) + "; see 'parikshan logs " + name + "'"));
    }

    /** runc's state of the clone, empty when runc knows no such clone. */
    public Optional<State> state(String name) {
        HostCommand.Result r;
        if (testHost != null) {
            try {
                r = testHost.run(List.of("runc", "--root", root.toString(), "state", name), Duration.ofSeconds(30));
            } catch (ParikshanException unreachable) {
                return Optional.empty(); // a test host that is gone took its clones with it
            }
        } else {
            if (!Files.isDirectory(root.resolve(name))) {
                return Optional.empty();
            }
            r = HostCommand.run(List.of("runc", "--root", root.toString(), "state", name), Duration.ofSeconds(30));
        }
        if (!r.ok()) {
            return Optional.empty();
        }
        try {
            JsonNode s = JSON.readTree(r.stdout());
            return Optional.of(new State(s.path("pid").asLong(0), s.path("status").asText("unknown")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Kills the clone's processes and forgets it (cgroups included); nothing happens when it is gone. */
    boolean remove(String name) {
        if (!Files.isDirectory(root.resolve(name))) {
            return false;
        }
        long pid = state(name).map(State::pid).orElse(0L);
        HostCommand.run(List.of("runc", "--root", root.toString(), "kill", "--all", name, "KILL"), Duration.ofSeconds(30));
        // SIGKILL is delivered at once but a large process takes a moment to go: wait, so that
        // whatever the clone held (files in its root, its cgroup) is free when this returns
        Path proc = Path.of("/proc", Long.toString(pid));
        for (int i = 0; i < 100 && pid > 0 && Files.exists(proc) && !zombie(proc); i++) {
            sleep(50);
        }
        HostCommand.Result r = null;
        for (int i = 0; i < 50; i++) {
            r = HostCommand.run(List.of("runc", "--root", root.toString(), "delete", "--force", name), Duration.ofSeconds(30));
            if (r.ok() || !Files.isDirectory(root.resolve(name))) {
                return true;
            }
            sleep(100);
        }
        throw new ParikshanException("runc could not remove the clone " + name + " (" + r.reason()
                + "); try 'runc --root " + root + " delete --force " + name + "'");
    }

    /** Runs a command inside the running clone, as its own process would (its user, environment, directory). */
    public HostCommand.Result exec(String name, List<String> command, Duration timeout) {
        List<String> cmd = new ArrayList<>(List.of("runc", "--root", root.toString(), "exec", name));
        cmd.addAll(command);
        return testHost != null ? testHost.run(cmd, timeout) : HostCommand.run(cmd, Map.of(), timeout);
    }

    /** {@code command} as it runs where the clones of this runtime run (through ssh for a test host). */
    public List<String> remoteCommand(List<String> command) {
        return testHost != null ? testHost.command(command, false) : command;
    }

    /** The runc command line that runs {@code command} in the clone, for callers that stream it themselves. */
    public List<String> execCommand(String name, boolean tty, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("runc", "--root", root.toString(), "exec"));
        if (tty) {
            cmd.add("--tty");
        }
        cmd.add(name);
        cmd.addAll(command);
        return testHost != null ? testHost.command(cmd, tty) : cmd;
    }

    private static boolean zombie(Path proc) {
        try {
            return Files.readAllLines(proc.resolve("status")).stream().anyMatch(l -> l.startsWith("State:") && l.contains("Z"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
        } catch (IOException e) {
            // no output to quote
        }
        return "";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
