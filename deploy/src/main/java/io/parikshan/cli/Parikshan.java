package io.parikshan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code parikshan} command line: one subcommand per user task.
 * Subcommands are registered in {@link #commandLine()} so that tests can drive the CLI in-process.
 */
@Command(name = "parikshan",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "In-vivo sandbox testing of live services: clone a running container, "
                + "duplicate its traffic to the clone, fire probe tests inside the clone.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Parikshan implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command tree with every subcommand; add new subcommands here. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Parikshan());
        // Subcommands (one line each, keep sorted by product area):
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
