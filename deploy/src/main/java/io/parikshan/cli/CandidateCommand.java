package io.parikshan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code parikshan candidate}: what a patch on trial ({@code parikshan clone C --candidate PATCH.jar}) changed. */
@Command(name = "candidate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "The findings of a session started with 'parikshan clone CONTAINER --candidate PATCH.jar'.",
        subcommands = {CandidateReportCommand.class})
public final class CandidateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose an action: report FILE (see --help)");
    }
}
