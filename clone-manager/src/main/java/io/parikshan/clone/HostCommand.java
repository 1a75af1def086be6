package io.parikshan.clone;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a host program (runc, rsync, iptables, criu) and captures what it printed. */
public final class HostCommand {

    /** What a finished program printed and returned. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The last non-blank line of stderr (or stdout): usually the program's own reason. */
        public String reason() {
            String text = stderr.isBlank() ? stdout : stderr;
            String[] lines = text.strip().split("\n");
            return lines.length == 0 ? "exit code " + exitCode : lines[lines.length - 1].strip();
        }
    }

    private HostCommand() {
    }

    public static Result run(List<String> command, Duration timeout) {
        return run(command, Map.of(), timeout);
    }

    public static Result run(List<String> command, Map<String, String> env, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ParikshanException(command.get(0) + " could not be started (" + e.getMessage()
                    + "); install it with deploy/host/setup.sh");
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ParikshanException(String.join(" ", command) + " did not finish within "
                        + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ParikshanException("interrupted while running " + command.get(0));
        }
        return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join());
    }

    /** Runs and fails with the program's own reason when it exits non-zero. */
    public static Result check(List<String> command, Map<String, String> env, Duration timeout, String what) {
        Result r = run(command, env, timeout);
        if (!r.ok()) {
            throw new ParikshanException(what + " failed: " + r.reason());
        }
        return r;
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
