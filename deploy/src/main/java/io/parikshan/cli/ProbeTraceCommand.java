package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe trace CLONE Class::method}: the calls under a method with their times. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Stream, per call of a method in the clone's JVM, the calls its body made with each one's time "
                + "(summed, with a count, when made more than once).")
final class ProbeTraceCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CLONE", description = ProbeDiagnosis.TARGET)
    String target;

    @Parameters(index = "1", paramLabel = "Class::method", description = ProbeDiagnosis.METHOD)
    String method;

    @Option(names = "--cost-over", paramLabel = "MS", defaultValue = "0",
            description = "Only calls that took at least MS milliseconds (default: all).")
    double costOver;

    @Mixin
    ProbeDiagnosis.Streaming streaming;

    @Mixin
    ProbeDiagnosis.Json json;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        List<String> args = ProbeDiagnosis.args(method);
        args.addAll(List.of("--cost-over", Double.toString(costOver)));
        streaming.add(args);
        json.add(args);
        return agent.stream(ProbeAction.TRACE, target, args);
    }
}
