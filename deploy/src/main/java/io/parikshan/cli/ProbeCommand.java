package io.parikshan.cli;

import io.parikshan.contract.Contract;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code parikshan probe}: fires users' probe test suites inside a clone's running JVM. */
@Command(name = "probe",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Attach the probe agent to the Java process of a clone and manage probe test suites "
                + "in it, without restarting it. TARGET is the clone's container name (or pid:<n> for a local JVM).",
                "Only JVMs whose filesystem has the clone marker " + Contract.CLONE_MARKER + " are attached to (production "
                        + "never is), unless --force.",
                "watch, trace, stack, threads, heapdump and jfr diagnose the clone's JVM without a suite; each leaves its "
                        + "classes exactly as they were.",
                "Exit codes: 0 done, 1 the action failed, 2 bad input."},
        subcommands = {ProbeAttachCommand.class, ProbeLoadCommand.class, ProbeUnloadCommand.class,
                ProbeListCommand.class, ProbeResultsCommand.class, ProbeWatchCommand.class, ProbeTraceCommand.class,
                ProbeStackCommand.class, ProbeThreadsCommand.class, ProbeHeapdumpCommand.class, ProbeJfrCommand.class})
public final class ProbeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "choose an action: attach, load, unload, list, results, watch, trace, stack, threads, heapdump or jfr (see --help)");
    }
}
