package io.parikshan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.parikshan.contract.Contract;
import io.parikshan.contract.ParikshanException;
import io.parikshan.contract.ProbeAction;
import io.parikshan.session.ProbeAgentHost;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * Options shared by the {@code parikshan probe} subcommands, and the hand-off to the probe agent's
 * host side ({@link ProbeAgentHost}, in this JVM), which copies the agent jar into the target JVM and
 * attaches to it.
 */
final class ProbeAgentOptions {

    static final String AGENT_JAR_ENV = ProbeAgentHost.AGENT_JAR_ENV;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--agent-jar", paramLabel = "JAR",
            description = "The probe agent jar (default: $" + AGENT_JAR_ENV + ", then parikshan-probe-agent.jar beside "
                    + "parikshan.jar, then probe-agent/target/ of this checkout).")
    Path agentJar;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = Contract.AGENT_DIR,
            description = "The agent's directory inside the target (results, reports, staged jars; default: ${DEFAULT-VALUE}).")
    String dir;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/parikshan",
            description = "Parikshan's state directory here, as given to 'parikshan clone' (a clone on a test host is "
                    + "found through its record there; default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--force",
            description = "Act on a JVM without the clone marker " + Contract.CLONE_MARKER + " (a test JVM of your own; "
                    + "NEVER production). Without it such targets are refused before anything is attached.")
    boolean force;

    /** Runs one host-side action; returns its exit status (0 done, 1 failed, 2 bad input). */
    int run(ProbeAction action, String target, List<String> more) {
        if (target.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the target is empty: give a container name or pid:<n>");
        }
        if (!dir.startsWith("/")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dir '" + dir + "' must be an absolute path inside the target, e.g. " + Contract.AGENT_DIR);
        }
        ProbeAgentHost.Result r = agentHost().run(action, target, more, force);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.print(r.out());
        err.print(r.err());
        out.flush();
        err.flush();
        return r.status();
    }

    /** Runs a streaming diagnosis action; returns its exit status (0 done, 1 failed, 2 bad input). */
    int stream(ProbeAction action, String target, List<String> more) {
        if (target.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the target is empty: give a clone's container name");
        }
        if (!dir.startsWith("/")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dir '" + dir + "' must be an absolute path inside the target, e.g. " + Contract.AGENT_DIR);
        }
        return agentHost().stream(action, target, more, force,
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    private ProbeAgentHost agentHost() {
        return new ProbeAgentHost(agentJar(), dir, stateDir);
    }

    Path agentJar() {
        try {
            return ProbeAgentHost.locate(agentJar);
        } catch (ParikshanException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
