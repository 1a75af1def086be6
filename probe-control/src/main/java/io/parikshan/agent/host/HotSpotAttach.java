package io.parikshan.agent.host;

import io.parikshan.clone.HostCommand;
import io.parikshan.clone.remote.Ssh;
import io.parikshan.contract.ParikshanException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Loads the agent into a JVM on a test host, which has no JDK to run the attach API with: this
 * speaks HotSpot's attach protocol itself, as the JDK's LinuxAttachProvider and jattach do. Over
 * SSH it creates the trigger file {@code .attach_pid<nspid>} in the target's working directory (its
 * /tmp if that is not writable), sends SIGQUIT and waits for the JVM's socket
 * {@code /tmp/.java_pid<nspid>} in the target's root; the socket is then reached through an OpenSSH
 * stream-local forward, and one {@code load instrument} request is written to it (protocol 1: the
 * version, the command and three arguments, each NUL-terminated). The JVM takes the request from
 * root (the SSH login) as from its own user.
 */
final class HotSpotAttach {

    /** Finds or opens the attach socket; prints its path. Run as {@code sh -c SCRIPT sh PID}. */
    static final String OPEN_SOCKET = """
            p=$1; st=/proc/$p/status
            [ -r "$st" ] || { echo "no process $p"; exit 4; }
            ns=$(sed -n 's/^NSpid:.*[[:space:]]\\([0-9][0-9]*\\)$/\\1/p' "$st"); [ -n "$ns" ] || ns=$p
            sock=/proc/$p/root/tmp/.java_pid$ns
            if [ ! -S "$sock" ]; then
              o=$(stat -c %u:%g /proc/$p)
              t=/proc/$p/cwd/.attach_pid$ns
              if ! { : > "$t" && chown "$o" "$t"; } 2>/dev/null; then
                rm -f "$t"; t=/proc/$p/root/tmp/.attach_pid$ns; : > "$t" && chown "$o" "$t" || exit 6
              fi
              kill -QUIT "$p"
              i=0; while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
              rm -f "$t"
            fi
            [ -S "$sock" ] || { echo "it did not open its attach socket within 10 s of SIGQUIT"; exit 5; }
            echo "$sock"
            """;

    private static final Duration STEP = Duration.ofSeconds(60);
    private static final long FORWARD_WAIT_MILLIS = 15_000;
    /** A load runs the agent's agentmain (a suite's classes loaded, methods transformed): bounded generously. */
    private static final long ANSWER_WAIT_MILLIS = 5 * 60_000;

    private HotSpotAttach() {
    }

    /**
     * Loads {@code jar} (a path as the target sees it) with {@code options} into the JVM whose pid on
     * the test host is {@code pid}, as {@code VirtualMachine.loadAgent} does.
     */
    static void loadAgent(Ssh ssh, long pid, String jar, String options, String what) throws ProbeControlException {
        String socket = openSocket(ssh, pid, what);
        String answer = request(ssh, socket, what, "load", "instrument", "false", jar + "=" + options);
        checkLoaded(answer, what, jar);
    }

    /** The answer's meaning: the status line, then for a load {@code return code: N} (or N before JDK 9). */
    static void checkLoaded(String answer, String what, String jar) throws ProbeControlException {
        int nl = answer.indexOf('\n');
        String status = (nl < 0 ? answer : answer.substring(0, nl)).strip();
        String rest = nl < 0 ? "" : answer.substring(nl + 1).strip();
        if (!status.equals("0")) {
            throw new ProbeControlException("the JVM of " + what + " refused the agent: "
                    + (rest.isEmpty() ? "attach status " + status : rest.lines().findFirst().orElse(""))
                    + " (if dynamic loading is disabled, restart it with -XX:+EnableDynamicAgentLoading or -javaagent:"
                    + jar + ")");
        }
        String code = rest.startsWith("return code:") ? rest.substring("return code:".length()).strip() : rest;
        if (!code.isEmpty() && !code.equals("0")) {
            throw new ProbeControlException("loading the agent into " + what + " failed: "
                    + (code.matches("-?\\d+") ? "its agentmain failed (return code " + code + ")" : code));
        }
    }

    private static String openSocket(Ssh ssh, long pid, String what) throws ProbeControlException {
        HostCommand.Result r;
        try {
            r = ssh.run(List.of("sh", "-c", OPEN_SOCKET, "sh", Long.toString(pid)), STEP);
        } catch (ParikshanException e) {
            throw new ProbeControlException("cannot attach to the JVM of " + what + ": " + e.getMessage(), e);
        }
        if (!r.ok()) {
            throw new ProbeControlException("cannot attach to the JVM of " + what + ": " + r.reason()
                    + " (the target must be a HotSpot JVM that allows attaching)");
        }
        return r.stdout().strip();
    }

    /** One request over a stream-local forward of the attach socket; returns everything the JVM answered. */
    static String request(Ssh ssh, String socket, String what, String... words) throws ProbeControlException {
        Path local = localSocket();
        Process forward;
        try {
            forward = new ProcessBuilder(ssh.forwardCommand(local, socket)).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new ProbeControlException("cannot attach to the JVM of " + what + ": ssh could not be started ("
                    + e.getMessage() + ")", e);
        }
        try {
            long deadline = System.currentTimeMillis() + FORWARD_WAIT_MILLIS;
            while (!Files.exists(local)) {
                if (!forward.isAlive() || System.currentTimeMillis() > deadline) {
                    String err = forward.isAlive() ? "" : new String(forward.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    throw new ProbeControlException("cannot attach to the JVM of " + what + ": ssh's forward of its attach socket "
                            + socket + " did not start" + (err.isBlank() ? "" : " (" + err.strip().lines().reduce((a, b) -> b).orElse("") + ")"));
                }
                Thread.sleep(20);
            }
            return exchange(connect(local, deadline), words, what);
        } catch (IOException e) {
            throw new ProbeControlException("cannot attach to the JVM of " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeControlException("interrupted while attaching to " + what, e);
        } finally {
            forward.destroy();
            try {
                forward.waitFor(5, TimeUnit.SECONDS);
                Files.deleteIfExists(local);
            } catch (IOException | InterruptedException ignored) {
                // a socket file left in the root-only control directory, replaced next time
            }
        }
    }

    /**
     * The forward's local socket, connected: ssh binds it before it listens on it, so a connection
     * in between is refused; tried again until {@code deadline}.
     */
    private static SocketChannel connect(Path local, long deadline) throws IOException, InterruptedException {
        while (true) {
            try {
                return SocketChannel.open(UnixDomainSocketAddress.of(local));
            } catch (java.net.ConnectException notListeningYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw notListeningYet;
                }
                Thread.sleep(20);
            }
        }
    }

    private static String exchange(SocketChannel connected, String[] words, String what) throws IOException, ProbeControlException {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes("1\0".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 4; i++) { // the command and exactly three arguments, empty ones included
            req.writeBytes(((i < words.length ? words[i] : "") + "\0").getBytes(StandardCharsets.UTF_8));
        }
        try (SocketChannel ch = connected) {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(ANSWER_WAIT_MILLIS);
                    ch.close();
                } catch (InterruptedException | IOException done) {
                    // answered in time
                }
            }, "parikshan-attach-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            try {
                ch.write(ByteBuffer.wrap(req.toByteArray()));
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(8192);
                while (ch.read(b) >= 0) {
                    answer.write(b.array(), 0, b.position());
                    b.clear();
                }
                if (answer.size() == 0) {
                    throw new ProbeControlException("the JVM of " + what + " closed its attach socket without answering");
                }
                return answer.toString(StandardCharsets.UTF_8);
            } catch (java.nio.channels.AsynchronousCloseException e) {
                throw new ProbeControlException("the JVM of " + what + " did not answer the attach within "
                        + ANSWER_WAIT_MILLIS / 60_000 + " min", e);
            } finally {
                watchdog.interrupt();
            }
        }
    }

    /** A socket path in the root-only directory the SSH connections are kept in. */
    private static Path localSocket() throws ProbeControlException {
        Ssh.shareConnections();
        Path dir = Path.of("/run/parikshan/ssh");
        try {
            if (!Files.isDirectory(dir)) {
                dir = Files.createTempDirectory("parikshan-attach", PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new ProbeControlException("cannot make a directory for the attach socket: " + e.getMessage(), e);
        }
        return dir.resolve("attach-" + UUID.randomUUID().toString().substring(0, 8) + ".sock");
    }
}
