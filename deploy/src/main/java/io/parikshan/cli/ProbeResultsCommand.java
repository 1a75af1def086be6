package io.parikshan.cli;

import io.parikshan.contract.Contract;
import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe results TARGET}: every recorded test run, as JSON lines, JUnit XML or metrics. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "Print the recorded test runs: JSON lines (default), the Surefire-format JUnit XML reports, "
                + "or a Prometheus text snapshot of the probe metrics.")
final class ProbeResultsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TARGET", description = "Clone container name, or pid:<n>.")
    String target;

    static final class Format {
        @Option(names = "--junit", description = "Print the JUnit XML reports.")
        boolean junit;

        @Option(names = "--metrics", description = "Print the metrics snapshot.")
        boolean metrics;
    }

    @ArgGroup(exclusive = true)
    Format format = new Format();

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        List<String> more = format.junit ? List.of(Contract.HOST_OPTION_JUNIT)
                : format.metrics ? List.of(Contract.HOST_OPTION_METRICS) : List.of();
        return agent.run(ProbeAction.RESULTS, target, more);
    }
}
