package io.parikshan.agent.host;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import io.parikshan.contract.Contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Sends commands to the probe agent in a target JVM: each command is one dynamic attach with an
 * agent argument; the agent's reply is read from {@code <dir>/reply.txt} in the target's filesystem.
 * A target on this host is attached with the JDK's attach API; one on a test host (which has no JDK)
 * through {@link HotSpotAttach} over SSH, its files read and written over SSH too ({@link HostFiles}).
 */
public final class ProbeControl {

    /** The file the clone manager writes into every clone, and production never has. */
    public static final Path CLONE_MARKER = Path.of(Contract.CLONE_MARKER);

    /** In-target directory of the agent's files (the agent's default). */
    public static final Path DEFAULT_DIR = Path.of(Contract.AGENT_DIR);

    private final Path agentJar;
    private final Path dir;

    /**
     * @param agentJar the probe agent jar on the host
     * @param dir      the agent's directory inside the target (results, reply, staged jars)
     */
    public ProbeControl(Path agentJar, Path dir) {
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalArgumentException("probe agent jar " + agentJar.toAbsolutePath()
                    + " does not exist: build it with mvn -pl probe-agent -am package");
        }
        this.agentJar = agentJar.toAbsolutePath();
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Copies a suite jar into the target; returns its path as the target sees it. */
    public Path stage(JvmTarget target, Path suiteJar) throws ProbeControlException {
        if (!Files.isRegularFile(suiteJar)) {
            throw new ProbeControlException("suite jar " + suiteJar.toAbsolutePath() + " does not exist: build it first");
        }
        Path inTarget = dir.resolve("suites").resolve(suiteJar.getFileName().toString());
        prepareDirs(target);
        copy(target, suiteJar, target.hostPath(inTarget));
        return inTarget;
    }

    /**
     * Runs one agent command (e.g. {@code load=/tmp/parikshan/suites/s.jar}) and returns the reply.
     * Refuses, before touching the target in any way, a JVM whose filesystem lacks the clone marker
     * (production is never attached to), unless the command carries {@code force}.
     */
    public AgentReply send(JvmTarget target, String command) throws ProbeControlException {
        boolean force = List.of(command.split(",")).contains(Contract.AGENT_OPTION_FORCE);
        HostFiles host = target.host();
        if (!force && !exists(host, target.hostPath(CLONE_MARKER), target)) {
            throw new ProbeControlException("refusing to attach to " + target.description() + ": it has no "
                    + CLONE_MARKER + ", so it is not a Parikshan clone (production is never touched); "
                    + "use --force only for a test JVM of your own");
        }
        Path agentInTarget = dir.resolve("agent").resolve("parikshan-probe-agent.jar");
        prepareDirs(target);
        copy(target, agentJar, target.hostPath(agentInTarget));
        Path reply = target.hostPath(dir.resolve(Contract.REPLY_FILE));
        try {
            host.delete(reply);
        } catch (IOException e) {
            throw new ProbeControlException("cannot clear " + reply + ": " + e.getMessage(), e);
        }
        String args = Contract.AGENT_OPTION_DIR + "=" + dir + (command.isEmpty() ? "" : "," + command);
        if (target.testHost() != null) {
            HotSpotAttach.loadAgent(target.testHost(), target.hostPid(), agentInTarget.toString(), args, target.description());
        } else {
            attachHere(target, agentInTarget, args);
        }
        List<String> lines;
        try {
            lines = host.read(reply).map(String::lines).map(java.util.stream.Stream::toList)
                    .orElseThrow(() -> new IOException("no such file"));
        } catch (IOException e) {
            throw new ProbeControlException("the agent in " + target.description() + " wrote no reply to " + reply
                    + " (is " + dir + " writable in the target?)", e);
        }
        if (lines.isEmpty() || !lines.get(0).equals("ok")) {
            String first = lines.isEmpty() ? "empty reply" : lines.get(0).replaceFirst("^error ", "");
            throw new ProbeControlException(target.description() + ": " + first);
        }
        return new AgentReply(lines.subList(1, lines.size()));
    }

    /** Whether the file exists on the target's host; a test host that cannot be asked is a failure, not a no. */
    private static boolean exists(HostFiles host, Path path, JvmTarget target) throws ProbeControlException {
        try {
            return host.exists(path);
        } catch (IOException e) {
            throw new ProbeControlException("cannot look into " + target.description() + ": " + e.getMessage(), e);
        }
    }

    /** The JDK's attach API: it follows the target's mount and pid namespaces on this host. */
    private static void attachHere(JvmTarget target, Path agentInTarget, String args) throws ProbeControlException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(target.hostPid()));
        } catch (AttachNotSupportedException | IOException e) {
            throw new ProbeControlException("cannot attach to the JVM of " + target.description() + ": " + e.getMessage()
                    + " (attach as the user running it, usually root; the target must be a HotSpot JVM)", e);
        }
        try {
            vm.loadAgent(agentInTarget.toString(), args);
        } catch (AgentLoadException e) {
            throw new ProbeControlException("the JVM of " + target.description() + " refused the agent: "
                    + e.getMessage() + " (if dynamic loading is disabled, restart it with "
                    + "-XX:+EnableDynamicAgentLoading or -javaagent:" + agentInTarget + ")", e);
        } catch (AgentInitializationException | IOException e) {
            throw new ProbeControlException("loading the agent into " + target.description() + " failed: "
                    + e.getMessage(), e);
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // Detaching a finished attach cannot fail in a way that matters.
            }
        }
    }

    /**
     * A notice when the target's JDK warns about dynamically loaded agents (JDK 21 and later without
     * {@code -XX:+EnableDynamicAgentLoading}), or empty.
     */
    public static Optional<String> dynamicLoadingNotice(JvmTarget target, String javaVersion) {
        int feature;
        try {
            feature = Integer.parseInt(javaVersion.split("[.+-]")[0]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (feature < 21 || commandLine(target).contains("-XX:+EnableDynamicAgentLoading")) {
            return Optional.empty();
        }
        return Optional.of("note: " + target.description() + " runs Java " + javaVersion
                + " without -XX:+EnableDynamicAgentLoading, so it printed a warning about a dynamically loaded "
                + "agent on its stderr; the agent works. Add the flag to the service's JVM options to silence it "
                + "(future JDKs may require it).");
    }

    private static List<String> commandLine(JvmTarget target) {
        try {
            return target.host().read(target.proc().resolve("cmdline")).map(c -> Arrays.asList(c.split("\0")))
                    .orElse(List.of());
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Creates the agent's directories in the target, owned by the target process's user (the host
     * side usually runs as root, the service may not): the agent must be able to write there.
     */
    void prepareDirs(JvmTarget target) throws ProbeControlException {
        try {
            List<Path> dirs = java.util.stream.Stream.of(dir, dir.resolve("agent"), dir.resolve("suites"), dir.resolve(Contract.DIAG_DIR))
                    .map(target::hostPath).toList();
            // Heap dumps and recordings hold production's data: owner-only.
            target.host().prepareDirs(target.proc(), dirs, target.hostPath(dir.resolve(Contract.DIAG_DIR)));
        } catch (IOException | UnsupportedOperationException e) {
            throw new ProbeControlException("cannot prepare " + dir + " in " + target.description() + ": " + e
                    + " (run as root, or as the user running the target)", e);
        }
    }

    private static void copy(JvmTarget target, Path from, Path to) throws ProbeControlException {
        try {
            target.host().copyIn(from, to);
        } catch (IOException e) {
            throw new ProbeControlException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
