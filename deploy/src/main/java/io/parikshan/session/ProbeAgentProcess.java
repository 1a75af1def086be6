package io.parikshan.session;


import io.parikshan.contract.Contract;
import io.parikshan.contract.ParikshanException;
import io.parikshan.contract.ProbeAction;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The probe agent's host-side control ({@code java -jar parikshan-probe-agent.jar ACTION TARGET ...}),
 * run as a child process: that keeps the agent (and its shaded Byte Buddy) out of this JVM.
 */
public final class ProbeAgentProcess {

    public static final String AGENT_JAR_ENV = "PARIKSHAN_PROBE_AGENT";
    public static final String DEFAULT_DIR = Contract.AGENT_DIR;

    /** What one action printed and returned (0 done, 1 failed, 2 bad input). */
    public record Result(int status, String out, String err) {
        public boolean ok() {
            return status == 0;
        }

        /** The agent's own words for a failure, one line. */
        public String reason() {
            String text = err.isBlank() ? out : err;
            return text.strip().replaceAll("\\s*\\n\\s*", "; ");
        }
    }

    private final Path jar;
    private final String dir;

    public ProbeAgentProcess(Path jar, String dir) {
        this.jar = jar;
        this.dir = dir;
    }

    public Path jar() {
        return jar;
    }

    /** Runs one action against a target (container name or pid:N), waiting at most two minutes. */
    public Result run(ProbeAction action, String target, List<String> more, boolean force) {
        List<String> cmd = new ArrayList<>(List.of(javaCommand(), "-jar", jar.toString(), action.wireName(), target));
        cmd.addAll(more);
        cmd.addAll(List.of(Contract.HOST_OPTION_DIR, dir));
        if (force) {
            cmd.add(Contract.HOST_OPTION_FORCE);
        }
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(1, "", "the probe agent's " + action.wireName() + " did not finish within 2 minutes");
            }
            return new Result(p.exitValue(), stdout.join(), stderr.join());
        } catch (IOException e) {
            return new Result(1, "", "cannot run " + cmd.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(1, "", "interrupted");
        }
    }

    /**
     * Runs a streaming action (a diagnosis) and copies its output line by line as it comes, for as long
     * as it runs. If this JVM is stopped (Ctrl-C reaches the child too), it waits a while for the child,
     * which ends the diagnosis in the target and restores its classes.
     */
    public int stream(ProbeAction action, String target, List<String> more, boolean force,
                      java.io.PrintWriter out, java.io.PrintWriter err) {
        List<String> cmd = new ArrayList<>(List.of(javaCommand(), "-jar", jar.toString(), action.wireName(), target));
        cmd.addAll(more);
        cmd.addAll(List.of(Contract.HOST_OPTION_DIR, dir));
        if (force) {
            cmd.add(Contract.HOST_OPTION_FORCE);
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            err.println("cannot run " + cmd.get(0) + ": " + e.getMessage());
            err.flush();
            return 1;
        }
        Thread hook = new Thread(() -> {
            try {
                p.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "parikshan-probe-wait");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            p.getOutputStream().close();
            CompletableFuture<Void> e = CompletableFuture.runAsync(() -> copyLines(p.getErrorStream(), err));
            copyLines(p.getInputStream(), out);
            e.join();
            return p.waitFor();
        } catch (IOException e) {
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // Shutting down: the hook waits for the child.
            }
        }
    }

    private static void copyLines(InputStream in, java.io.PrintWriter to) {
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (to) {
                    to.println(line);
                    to.flush();
                }
            }
        } catch (IOException ignored) {
            // The child went away; its exit status tells.
        }
    }

    /**
     * The agent jar: the one given, else {@code $PARIKSHAN_PROBE_AGENT}, else
     * {@code parikshan-probe-agent.jar} beside this program's jar, else probe-agent/target/ of the checkout.
     */
    public static Path locate(Path explicit) {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new ParikshanException("--agent-jar " + explicit.toAbsolutePath()
                        + " does not exist: build it with mvn -B -q -pl probe-agent -am package -DskipTests");
            }
            return explicit.toAbsolutePath();
        }
        String env = System.getenv(AGENT_JAR_ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isRegularFile(p)) {
                throw new ParikshanException("$" + AGENT_JAR_ENV + " names " + p.toAbsolutePath()
                        + ", which does not exist: fix it or unset it");
            }
            return p.toAbsolutePath();
        }
        Path ownDir = ownJarDir();
        List<Path> candidates = new ArrayList<>();
        if (ownDir != null) {
            candidates.add(ownDir.resolve("parikshan-probe-agent.jar"));
            candidates.add(ownDir.resolve("../../probe-agent/target/parikshan-probe-agent.jar").normalize());
        }
        candidates.add(Path.of("probe-agent/target/parikshan-probe-agent.jar").toAbsolutePath());
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                return c;
            }
        }
        throw new ParikshanException("no probe agent jar found (looked at " + candidates
                + "): build it with mvn -B -q -pl probe-agent -am package -DskipTests or pass --agent-jar");
    }

    private static Path ownJarDir() {
        try {
            Path self = Path.of(ProbeAgentProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(self) ? self.getParent() : self;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** The java launcher of this JVM (a JDK: attaching needs the jdk.attach module). */
    private static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String drain(InputStream in) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
