package io.parikshan.cli;

import com.github.dockerjava.api.exception.DockerException;
import io.parikshan.contract.ParikshanException;
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
        cl.addSubcommand(new DoctorCommand());
        cl.addSubcommand(new CloneCommand());
        cl.addSubcommand(new ListCommand());
        cl.addSubcommand(new DestroyCommand());
        cl.addSubcommand(new LogsCommand());
        cl.addSubcommand(new ExecCommand());
        cl.addSubcommand(new StatusCommand());
        cl.addSubcommand(new SyncCommand());
        cl.addSubcommand(new ProxyCommand());
        cl.addSubcommand(new ProbeCommand());
        cl.addSubcommand(new CandidateCommand());
        cl.setExecutionExceptionHandler(Parikshan::userError);
        CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, args) -> {
            int code = usage.handleParseException(ex, args); // picocli's message and usage hint on stderr
            JsonFailure.printIfWanted(ex.getCommandLine(), ex.getMessage(), ex);
            return code;
        });
        return cl;
    }

    /**
     * A failure the user can act on is one line on stderr and exit code 1, not a stack trace;
     * under --json the same line is also a JSON object on stdout ({@link JsonFailure}).
     */
    private static int userError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        String message;
        if (e instanceof ParikshanException) {
            message = e.getMessage();
        } else if (e instanceof DockerException) {
            // The engine's own words are the most useful line (e.g. "port is already allocated").
            message = "the Docker engine refused: " + e.getMessage().replaceAll("\\s+", " ").strip();
        } else {
            // a bug: the stack trace follows on stderr, and a script still gets its JSON
            JsonFailure.printIfWanted(cmd, "unexpected failure: " + e, e);
            throw e;
        }
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        cmd.getErr().flush();
        JsonFailure.printIfWanted(cmd, message, e);
        return 1;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
