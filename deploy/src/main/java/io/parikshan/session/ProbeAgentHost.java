package io.parikshan.session;

import io.parikshan.agent.host.ProbeHostMain;
import io.parikshan.contract.Contract;
import io.parikshan.contract.ParikshanException;
import io.parikshan.contract.ProbeAction;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The probe agent's host side ({@link ProbeHostMain}, module probe-control), called in this JVM: it
 * copies the agent jar into the target and attaches; only the agent jar ever enters the target.
 */
public final class ProbeAgentHost {

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
    private final Path stateRoot;

    /** @param stateRoot Parikshan's state directory here: a clone on a test host is found through its record there */
    public ProbeAgentHost(Path jar, String dir, Path stateRoot) {
        this.jar = jar;
        this.dir = dir;
        this.stateRoot = stateRoot.toAbsolutePath();
    }

    public Path jar() {
        return jar;
    }

    /**
     * Runs one action against a target (container name or pid:N), waiting at most two minutes: an attach
     * whose agent never answers must not hold a session (the action goes on in a daemon thread).
     */
    public Result run(ProbeAction action, String target, List<String> more, boolean force) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        FutureTask<Integer> task = new FutureTask<>(() -> ProbeHostMain.run(jar, args(action, target, more, force),
                new PrintWriter(out, true), new PrintWriter(err, true)));
        Thread t = new Thread(task, "parikshan-probe-" + action.wireName());
        t.setDaemon(true);
        t.start();
        try {
            return new Result(task.get(2, TimeUnit.MINUTES), out.toString(), err.toString());
        } catch (TimeoutException e) {
            t.interrupt();
            return new Result(1, "", "the probe agent's " + action.wireName() + " did not finish within 2 minutes");
        } catch (ExecutionException e) {
            return new Result(1, out.toString(), "the probe agent's " + action.wireName() + " failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(1, "", "interrupted");
        }
    }

    /**
     * Runs a streaming action (a diagnosis), its output going to {@code out} and {@code err} as it comes,
     * for as long as it runs. Ctrl-C ends the diagnosis in the target and restores its classes (the
     * diagnosis's own shutdown hook).
     */
    public int stream(ProbeAction action, String target, List<String> more, boolean force,
                      PrintWriter out, PrintWriter err) {
        return ProbeHostMain.run(jar, args(action, target, more, force), out, err);
    }

    private String[] args(ProbeAction action, String target, List<String> more, boolean force) {
        List<String> args = new ArrayList<>(List.of(action.wireName(), target));
        args.addAll(more);
        args.addAll(List.of(Contract.HOST_OPTION_DIR, dir, Contract.HOST_OPTION_STATE_DIR, stateRoot.toString()));
        if (force) {
            args.add(Contract.HOST_OPTION_FORCE);
        }
        return args.toArray(String[]::new);
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
            Path self = Path.of(ProbeAgentHost.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(self) ? self.getParent() : self;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
