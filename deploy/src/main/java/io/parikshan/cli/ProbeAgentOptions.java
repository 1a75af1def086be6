package io.parikshan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Options shared by the {@code parikshan probe} subcommands, and the hand-off to the probe agent's
 * host-side control ({@code java -jar parikshan-probe-agent.jar ...}), which attaches to the target
 * JVM. Running it as a child process keeps the agent (and its shaded Byte Buddy) out of the CLI.
 */
final class ProbeAgentOptions {

    static final String AGENT_JAR_ENV = "PARIKSHAN_PROBE_AGENT";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--agent-jar", paramLabel = "JAR",
            description = "The probe agent jar (default: $" + AGENT_JAR_ENV + ", then parikshan-probe-agent.jar beside "
                    + "parikshan.jar, then probe-agent/target/ of this checkout).")
    Path agentJar;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "/tmp/parikshan",
            description = "The agent's directory inside the target (results, reports, staged jars; default: ${DEFAULT-VALUE}).")
    String dir;

    @Option(names = "--force",
            description = "Act on a JVM without the clone marker /.parikshan-clone (a test JVM of your own; "
                    + "NEVER production). Without it such targets are refused before anything is attached.")
    boolean force;

    /** Runs one host-side action; returns its exit status (0 done, 1 failed, 2 bad input). */
    int run(String action, String target, List<String> more) {
        if (target.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the target is empty: give a container name or pid:<n>");
        }
        if (!dir.startsWith("/")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dir '" + dir + "' must be an absolute path inside the target, e.g. /tmp/parikshan");
        }
        Path jar = agentJar();
        List<String> cmd = new ArrayList<>(List.of(javaCommand(), "-jar", jar.toString(), action, target));
        cmd.addAll(more);
        cmd.addAll(List.of("--dir", dir));
        if (force) {
            cmd.add("--force");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            out.print(drain(p.getInputStream()));
            int status = p.waitFor();
            err.print(stderr.join());
            out.flush();
            err.flush();
            return status;
        } catch (IOException e) {
            err.println(spec.qualifiedName() + ": cannot run " + cmd.get(0) + ": " + e.getMessage());
            err.flush();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    Path agentJar() {
        if (agentJar != null) {
            if (!Files.isRegularFile(agentJar)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--agent-jar " + agentJar.toAbsolutePath()
                        + " does not exist: build it with mvn -B -q -pl probe-agent -am package -DskipTests");
            }
            return agentJar.toAbsolutePath();
        }
        String env = System.getenv(AGENT_JAR_ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isRegularFile(p)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "$" + AGENT_JAR_ENV + " names "
                        + p.toAbsolutePath() + ", which does not exist: fix it or unset it");
            }
            return p.toAbsolutePath();
        }
        Path cliDir = cliJarDir();
        List<Path> candidates = new ArrayList<>();
        if (cliDir != null) {
            candidates.add(cliDir.resolve("parikshan-probe-agent.jar"));
            candidates.add(cliDir.resolve("../../probe-agent/target/parikshan-probe-agent.jar").normalize());
        }
        candidates.add(Path.of("probe-agent/target/parikshan-probe-agent.jar").toAbsolutePath());
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                return c;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "no probe agent jar found (looked at "
                + candidates + "): build it with mvn -B -q -pl probe-agent -am package -DskipTests or pass --agent-jar");
    }

    private static Path cliJarDir() {
        try {
            Path self = Path.of(ProbeAgentOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
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
