package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe threads CLONE}: threads by CPU time, deadlocks named. */
@Command(name = "threads", mixinStandardHelpOptions = true,
        description = "Print the clone JVM's threads, busiest first, with state, CPU time and the lock each waits on; "
                + "name the threads of any deadlock.")
final class ProbeThreadsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CLONE", description = ProbeDiagnosis.TARGET)
    String target;

    @Option(names = "--top", paramLabel = "N", description = "Only the N busiest threads.")
    Integer top;

    @Mixin
    ProbeDiagnosis.Json json;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        List<String> args = ProbeDiagnosis.args(null);
        if (top != null) {
            args.addAll(List.of("--top", Integer.toString(top)));
        }
        json.add(args);
        return agent.stream(ProbeAction.THREADS, target, args);
    }
}
