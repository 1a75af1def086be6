package io.parikshan.cli;

import io.parikshan.clone.CloneRuntime;
import io.parikshan.contract.ParikshanException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parikshan exec CLONE COMMAND...}: runs a command inside a running clone, as its own
 * processes run (production's user, environment and working directory), with the terminal's
 * input and output; the exit code is the command's.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = "Run a command inside a clone (its user, environment, directory); exits with the command's code.")
final class ExecCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CLONE", description = "The clone.")
    String clone;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Option(names = {"-t", "--tty"}, description = "Give the command a terminal (for shells).")
    boolean tty;

    @picocli.CommandLine.Mixin
    HostOptions host;

    @Override
    public Integer call() throws Exception {
        CloneRuntime runtime = CloneRuntime.of(clone, host.stateRoot()); // here, or on its test host
        if (!runtime.state(clone).map(CloneRuntime.State::running).orElse(false)) {
            throw new ParikshanException("no running clone named '" + clone + "'; see 'parikshan list'");
        }
        Process p = new ProcessBuilder(runtime.execCommand(clone, tty, command)).inheritIO().start();
        return p.waitFor();
    }
}
