package io.parikshan.clone.remote;

import io.parikshan.clone.HostCommand;
import io.parikshan.contract.ParikshanException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs commands on a test host through OpenSSH, never asking anything: {@code BatchMode} (no
 * password or passphrase prompt) and {@code StrictHostKeyChecking} (an unknown or changed host
 * key is refused, as the paper's safety checks want: a clone holds production's memory). When
 * ssh itself fails, the failure is one line saying what to set up.
 */
public final class Ssh {

    /** ssh's own exit code; a remote command's is passed through. */
    static final int SSH_FAILED = 255;

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

    /** Runs a shell script there (sh -c). */
    public HostCommand.Result script(String script, Duration timeout) {
        return run(List.of("sh", "-c", script), timeout);
    }

    List<String> sshCommand(List<String> command) {
        List<String> c = new ArrayList<>(List.of("ssh"));
        if (config != null) {
            c.addAll(List.of("-F", config.toString()));
        }
        c.addAll(List.of("-p", Integer.toString(target.port()),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=5",
                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-o", "LogLevel=ERROR",
                target.destination(), "--"));
        // ssh joins its arguments with spaces for the remote shell: each word is quoted on its own
        c.add(String.join(" ", command.stream().map(Ssh::quote).toList()));
        return c;
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
