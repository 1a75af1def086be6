package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe list TARGET}: the suites loaded in the target and their run counts. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the suites loaded in the target, with instrumented methods and runs by outcome.")
final class ProbeListCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TARGET", description = "Clone container name, or pid:<n>.")
    String target;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        return agent.run(ProbeAction.LIST, target, List.of());
    }
}
