package io.parikshan.agent.host;

import io.parikshan.clone.HostCommand;
import io.parikshan.clone.remote.Ssh;
import io.parikshan.contract.ParikshanException;

import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A test host's files, each step one command over the clone's SSH connection (shared with the
 * clone manager's), with POSIX tools only: the test host has no Java. Files go through ssh's
 * standard input and output, never through a copy kept elsewhere.
 */
final class SshHostFiles implements HostFiles {

    private static final Duration STEP = Duration.ofSeconds(60);
    private static final Duration TRANSFER = Duration.ofMinutes(30);
    private static final ProcessBuilder.Redirect NOTHING = ProcessBuilder.Redirect.from(new File("/dev/null"));

    private final Ssh ssh;

    SshHostFiles(Ssh ssh) {
        this.ssh = ssh;
        Ssh.shareConnections();
    }

    @Override
    public boolean exists(Path path) throws IOException {
        return run(List.of("test", "-e", path.toString())).ok();
    }

    @Override
    public Optional<String> read(Path path) throws IOException {
        HostCommand.Result r = run(List.of("sh", "-c", "[ -f \"$1\" ] || exit 3; exec cat \"$1\"", "sh", path.toString()));
        if (r.exitCode() == 3) {
            return Optional.empty();
        }
        return Optional.of(ok(r, "reading " + path).stdout());
    }

    @Override
    public String readEach(Path dir, String glob) throws IOException {
        return ok(run(List.of("sh", "-c", "for f in \"$1\"/$2; do [ ! -f \"$f\" ] || cat \"$f\"; done", "sh",
                dir.toString(), glob)), "reading " + dir).stdout();
    }

    @Override
    public void write(Path path, String text) throws IOException {
        Path local = Files.createTempFile("parikshan-", ".part", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(local, text, StandardCharsets.ISO_8859_1);
            send(local, path, "");
        } finally {
            Files.deleteIfExists(local);
        }
    }

    @Override
    public void copyIn(Path from, Path to) throws IOException {
        send(from, to, sha256(from));
    }

    /** Sends a local file there through a temporary name; skipped when {@code sha256} is the file's there. */
    private void send(Path from, Path to, String sha256) throws IOException {
        String script = "if [ -n \"$3\" ] && [ -f \"$2\" ] && [ \"$(sha256sum < \"$2\")\" = \"$3  -\" ]; then exit 0; fi; "
                + "mkdir -p \"$(dirname \"$2\")\" && cat > \"$1\" && mv -f \"$1\" \"$2\"";
        Path tmp = to.resolveSibling("." + to.getFileName() + ".tmp");
        HostCommand.Result r = call(() -> ssh.run(List.of("sh", "-c", script, "sh", tmp.toString(), to.toString(), sha256),
                ProcessBuilder.Redirect.from(from.toFile()), ProcessBuilder.Redirect.DISCARD, TRANSFER));
        ok(r, "copying " + from + " to " + to);
    }

    @Override
    public void copyOut(Path from, Path to) throws IOException {
        Path tmp = to.resolveSibling("." + to.getFileName() + ".part");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            HostCommand.Result r = call(() -> ssh.run(List.of("cat", from.toString()), NOTHING,
                    ProcessBuilder.Redirect.appendTo(tmp.toFile()), TRANSFER));
            ok(r, "copying " + from + " out");
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        delete(from);
    }

    @Override
    public void delete(Path path) throws IOException {
        ok(run(List.of("rm", "-f", path.toString())), "removing " + path);
    }

    @Override
    public void prepareDirs(Path ownerOf, List<Path> dirs, Path ownerOnly) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "set -e; o=$(stat -c %u:%g \"$1\"); only=$2; shift 2; "
                + "for d in \"$@\"; do mkdir -p \"$d\"; chown \"$o\" \"$d\"; [ \"$d\" != \"$only\" ] || chmod 700 \"$d\"; done",
                "sh", ownerOf.toString(), ownerOnly.toString()));
        dirs.forEach(d -> cmd.add(d.toString()));
        ok(run(cmd), "making " + dirs.get(0));
    }

    @Override
    public FileTail tail(Path path, long maxMillis) throws IOException {
        // bounded, so a tail whose reader went away never stays on the test host
        long seconds = maxMillis / 1000 + 120;
        Process p;
        try {
            p = new ProcessBuilder(ssh.command(List.of("timeout", Long.toString(seconds), "tail", "-c", "+1", "-F",
                    path.toString()), false)).redirectInput(NOTHING).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IOException("ssh could not be started (" + e.getMessage() + ")", e);
        }
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(() -> {
            char[] buf = new char[8192];
            try (Reader in = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (seen) {
                        seen.append(buf, 0, n);
                    }
                }
            } catch (IOException ended) {
                // the tail was closed
            }
        }, "parikshan-tail");
        reader.setDaemon(true);
        reader.start();
        return new FileTail() {
            @Override
            public String poll() throws IOException {
                synchronized (seen) {
                    String s = seen.toString();
                    seen.setLength(0);
                    if (s.isEmpty() && !p.isAlive() && !reader.isAlive()) {
                        throw new IOException("following " + path + " on test host " + ssh.target() + " ended (ssh exit "
                                + p.exitValue() + "): is the test host reachable?");
                    }
                    return s;
                }
            }

            @Override
            public void close() {
                p.destroy();
            }
        };
    }

    private HostCommand.Result run(List<String> command) throws IOException {
        return call(() -> ssh.run(command, STEP));
    }

    private interface Call {
        HostCommand.Result run();
    }

    /** ssh's own failures (the test host gone, its key changed) as the one line the clone manager words them in. */
    private static HostCommand.Result call(Call c) throws IOException {
        try {
            return c.run();
        } catch (ParikshanException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private HostCommand.Result ok(HostCommand.Result r, String what) throws IOException {
        if (!r.ok()) {
            throw new IOException(what + " on test host " + ssh.target() + " failed: " + r.reason());
        }
        return r;
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] b = new byte[1 << 16];
                for (int n; (n = in.read(b)) > 0; ) {
                    d.update(b, 0, n);
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
