package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe unload TARGET SUITE}: removes a suite and restores the original classes. */
@Command(name = "unload", mixinStandardHelpOptions = true,
        description = "Remove a suite's probes from the target; the original class bytes are restored.")
final class ProbeUnloadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TARGET", description = "Clone container name, or pid:<n>.")
    String target;

    @Parameters(index = "1", paramLabel = "SUITE", description = "The suite's name, as `parikshan probe list` shows it.")
    String suite;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        return agent.run(ProbeAction.UNLOAD, target, List.of(suite));
    }
}
