package io.parikshan.cli;

import io.parikshan.contract.Contract;
import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe attach TARGET}: puts the agent into the target JVM. */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = "Attach the probe agent to the target's JVM (copies the agent into its filesystem first).")
final class ProbeAttachCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TARGET", description = "Clone container name, or pid:<n>.")
    String target;

    @Option(names = "--metrics", paramLabel = "[HOST:]PORT",
            description = "Also serve Prometheus metrics from inside the clone on this port; scrape it on the "
                    + "clone's address (port 0 picks a free one, printed).")
    String metrics;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        return agent.run(ProbeAction.ATTACH, target, metrics == null ? List.of() : List.of(Contract.HOST_OPTION_METRICS, metrics));
    }
}
