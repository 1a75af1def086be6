package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

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
        return start(command, env).await(timeout);
    }

    /** Starts a program and returns at once; {@link Running#await} collects what it printed. */
    public static Running start(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ParikshanException(command.get(0) + " could not be started (" + e.getMessage()
                    + "); install it with deploy/host/setup.sh");
        }
        return new Running(List.copyOf(command), p, drain(p.getInputStream()), drain(p.getErrorStream()));
    }

    /** A started program. */
    public static final class Running {
        private final List<String> command;
        private final Process process;
        private final CompletableFuture<String> out;
        private final CompletableFuture<String> err;

        private Running(List<String> command, Process process, CompletableFuture<String> out, CompletableFuture<String> err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** Completes when the program has exited. */
        public CompletableFuture<Process> exited() {
            return process.onExit();
        }

        /** Waits for the program; kills it and fails when it takes longer than {@code timeout}. */
        public Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new ParikshanException(String.join(" ", command) + " did not finish within "
                            + timeout.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new ParikshanException("interrupted while running " + command.get(0));
            }
            return new Result(command, process.exitValue(), out.join(), err.join());
        }
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
