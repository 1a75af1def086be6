package io.parikshan.clone.remote;

import io.parikshan.clone.HostCommand;
import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands on a test host through OpenSSH, never asking anything: {@code BatchMode} (no
 * password or passphrase prompt) and {@code StrictHostKeyChecking} (an unknown or changed host
 * key is refused, as the paper's safety checks want: a clone holds production's memory). When
 * ssh itself fails, the failure is one line saying what to set up.
 */
public final class Ssh {

    /** ssh's own exit code; a remote command's is passed through. */
    static final int SSH_FAILED = 255;

    /** Where ssh keeps its shared connections: one TCP and key exchange for a clone's many commands. */
    static final Path CONTROL_DIR = Path.of("/run/parikshan/ssh");

    private final TestHostAddress target;
    private final Path config;

    /** @param config an ssh_config file to use instead of the user's (-F), or null */
    public Ssh(TestHostAddress target, Path config) {
        this.target = target;
        this.config = config;
    }

    public TestHostAddress target() {
        return target;
    }

    /** The ssh_config file given, or null for the user's own. */
    public Path config() {
        return config;
    }

    /** Fails with one line when the test host cannot be reached or does not let this host in. */
    public void requireReachable() {
        run(List.of("true"), Duration.ofSeconds(20));
    }

    /**
     * Runs {@code command} (its words quoted for the remote shell) and returns what it printed;
     * throws when ssh itself failed.
     */
    public HostCommand.Result run(List<String> command, Duration timeout) {
        HostCommand.Result r = HostCommand.run(sshCommand(command), Map.of(), timeout);
        if (r.exitCode() == SSH_FAILED) {
            Optional<String> failure = failure(target, r.stderr());
            if (failure.isPresent()) {
                throw new ParikshanException(failure.get());
            }
        }
        return r;
    }

    /**
     * Runs {@code command} there with its standard input and output redirected here (a file sent, a
     * file fetched); what it printed on stderr is in the result. Throws when ssh itself failed.
     */
    public HostCommand.Result run(List<String> command, ProcessBuilder.Redirect stdin, ProcessBuilder.Redirect stdout,
                                  Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(sshCommand(command)).redirectInput(stdin).redirectOutput(stdout).start();
        } catch (IOException e) {
            throw new ParikshanException("ssh could not be started (" + e.getMessage() + "); install openssh-client");
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ParikshanException("ssh " + String.join(" ", command) + " on test host " + target
                        + " did not finish within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ParikshanException("interrupted while running " + command.get(0) + " on test host " + target);
        }
        HostCommand.Result r = new HostCommand.Result(command, p.exitValue(), out.join(), err.join());
        if (r.exitCode() == SSH_FAILED) {
            failure(target, r.stderr()).ifPresent(f -> {
                throw new ParikshanException(f);
            });
        }
        return r;
    }

    /**
     * The ssh command line that makes the UNIX socket {@code local} here lead to {@code remote} there
     * (a stream-local forward) for as long as it runs, on a connection of its own: a forward asked of a
     * shared connection outlives the command that asked for it.
     */
    public List<String> forwardCommand(Path local, String remote) {
        List<String> c = new ArrayList<>(List.of("ssh"));
        c.addAll(baseOptions());
        c.addAll(List.of("-o", "ControlPath=none", "-o", "ExitOnForwardFailure=yes", "-o", "StreamLocalBindUnlink=yes",
                "-o", "StreamLocalBindMask=0177", "-N", "-L", local + ":" + remote, target.destination()));
        return c;
    }

    /** Runs a shell script there (sh -c). */
    public HostCommand.Result script(String script, Duration timeout) {
        return run(List.of("sh", "-c", script), timeout);
    }

    /**
     * Runs {@code local}'s standard output into {@code command} there (a tar pipe, say); fails
     * with what either side said.
     *
     * @return what the remote command printed
     */
    public HostCommand.Result pipe(List<String> local, List<String> command, Duration timeout, String what) {
        ProcessBuilder from = new ProcessBuilder(local).redirectError(ProcessBuilder.Redirect.DISCARD);
        ProcessBuilder to = new ProcessBuilder(sshCommand(command));
        List<Process> p;
        try {
            p = ProcessBuilder.startPipeline(List.of(from, to));
        } catch (IOException e) {
            throw new ParikshanException(what + " failed: " + local.get(0) + " or ssh could not be started (" + e.getMessage() + ")");
        }
        Process sender = p.get(0);
        Process receiver = p.get(1);
        try {
            CompletableFuture<String> out = drain(receiver.getInputStream());
            CompletableFuture<String> err = drain(receiver.getErrorStream());
            if (!receiver.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                sender.destroyForcibly();
                receiver.destroyForcibly();
                throw new ParikshanException(what + " did not finish within " + timeout.toSeconds() + " s");
            }
            sender.waitFor(30, TimeUnit.SECONDS);
            HostCommand.Result r = new HostCommand.Result(command, receiver.exitValue(), out.join(), err.join());
            if (r.exitCode() == SSH_FAILED) {
                failure(target, r.stderr()).ifPresent(f -> {
                    throw new ParikshanException(f);
                });
            }
            if (!r.ok() || sender.exitValue() != 0) {
                throw new ParikshanException(what + " failed: " + (r.ok() ? local.get(0) + " exit code " + sender.exitValue() : r.reason()));
            }
            return r;
        } catch (InterruptedException e) {
            sender.destroyForcibly();
            receiver.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ParikshanException("interrupted while " + what);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** The ssh command with its options, as rsync's {@code -e} takes it (its words split on spaces, quotes kept). */
    public String rsh() {
        List<String> words = new ArrayList<>(List.of("ssh"));
        words.addAll(options());
        return String.join(" ", words.stream().map(Ssh::quote).toList());
    }

    /** {@code user@host:path} for rsync. */
    public String remotePath(Path path) {
        return target.destination() + ":" + path;
    }

    /** The ssh command line that runs {@code command} there, for callers that stream it themselves ({@code -t}: a terminal). */
    public List<String> command(List<String> command, boolean tty) {
        List<String> c = sshCommand(command);
        if (tty) {
            c.add(1, "-t");
        }
        return c;
    }

    List<String> sshCommand(List<String> command) {
        List<String> c = new ArrayList<>(List.of("ssh"));
        c.addAll(options());
        c.addAll(List.of(target.destination(), "--"));
        // ssh joins its arguments with spaces for the remote shell: each word is quoted on its own
        c.add(String.join(" ", command.stream().map(Ssh::quote).toList()));
        return c;
    }

    private List<String> options() {
        List<String> c = baseOptions();
        if (Files.isDirectory(CONTROL_DIR)) {
            // %C names user, host and port only: the config is part of the name too, so a connection made
            // under one config (its keys, its known hosts) never serves a call made under another
            String tag = config == null ? "user" : Integer.toHexString(config.toAbsolutePath().toString().hashCode());
            c.addAll(List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + CONTROL_DIR + "/%C-" + tag, "-o", "ControlPersist=60"));
        }
        return c;
    }

    private List<String> baseOptions() {
        List<String> c = new ArrayList<>();
        if (config != null) {
            c.addAll(List.of("-F", config.toString()));
        }
        c.addAll(List.of("-p", Integer.toString(target.port()),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=5",
                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-o", "LogLevel=ERROR"));
        return c;
    }

    /** Lets later calls share one connection (ssh's ControlMaster), in a root-only directory. */
    public static void shareConnections() {
        try {
            Files.createDirectories(CONTROL_DIR);
            Files.setPosixFilePermissions(CONTROL_DIR, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            // without it every command opens its own connection: slower, not wrong
        }
    }

    /** The word as the remote POSIX shell reads it back unchanged. */
    static String quote(String word) {
        if (!word.isEmpty() && word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** ssh's own complaint, said in the user's terms with what to do; empty if stderr holds none. */
    static Optional<String> failure(TestHostAddress t, String stderr) {
        String s = stderr == null ? "" : stderr;
        String at = "test host " + t;
        if (s.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")) {
            return Optional.of(at + ": its host key has changed since it was recorded in known_hosts; check why with its "
                    + "administrator, then replace the old key (ssh-keygen -R " + t.host() + ")");
        }
        if (s.contains("Host key verification failed") || s.contains("No ") && s.contains("host key is known")) {
            return Optional.of(at + ": its host key is not known here, and a clone of production's memory is only sent "
                    + "to a host that proved who it is; check its fingerprint and add it to root's known_hosts "
                    + "(ssh-keyscan -p " + t.port() + " " + t.host() + " >> ~/.ssh/known_hosts)");
        }
        if (s.contains("Permission denied")) {
            return Optional.of(at + ": it refused this host's SSH keys for " + t.user() + " (no password is ever asked); "
                    + "add this host's public key to " + t.user() + "'s ~/.ssh/authorized_keys there (ssh-copy-id -p "
                    + t.port() + " " + t.destination() + ")");
        }
        if (s.contains("Could not resolve hostname")) {
            return Optional.of(at + ": the name does not resolve; give its address or a name in DNS or /etc/hosts");
        }
        if (s.contains("Connection refused")) {
            return Optional.of(at + ": nothing listens for SSH on port " + t.port() + "; start sshd there or give the right port");
        }
        if (s.contains("timed out") || s.contains("No route to host") || s.contains("Network is unreachable")) {
            return Optional.of(at + ": not reachable on port " + t.port() + " (" + lastLine(s)
                    + "); check its address and that a firewall lets SSH through");
        }
        if (s.contains("ssh:") || s.contains("Connection closed") || s.contains("kex_exchange")) {
            return Optional.of(at + ": ssh failed (" + lastLine(s) + "); try 'ssh " + t.destination() + " true' by hand");
        }
        return Optional.empty();
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
