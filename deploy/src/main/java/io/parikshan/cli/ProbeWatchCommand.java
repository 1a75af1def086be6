package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe watch CLONE Class::method}: each matching call, streamed. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Stream one line per call of a method in the clone's JVM: arguments, receiver fields, "
                + "return value or exception, and time taken. Expressions are OGNL over the call: params[0], "
                + "target.field, returnObj, throwExp, cost (ms).",
                "Example: parikshan probe watch CLONE 'KeyValueStore::get' --when 'params[0] == \"user42\"'"})
final class ProbeWatchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CLONE", description = ProbeDiagnosis.TARGET)
    String target;

    @Parameters(index = "1", paramLabel = "Class::method", description = ProbeDiagnosis.METHOD)
    String method;

    @Option(names = "--when", paramLabel = "EXPR", description = "Only calls where this OGNL expression is true.")
    String when;

    @Option(names = "--show", paramLabel = "EXPR", description = "Show this OGNL expression's value instead of the whole call.")
    String show;

    @Option(names = "--at", paramLabel = "entry|exit|error", defaultValue = "exit",
            description = "When to look: at entry, at exit (returned or threw; default) or on error only.")
    String at;

    @Mixin
    ProbeDiagnosis.Streaming streaming;

    @Mixin
    ProbeDiagnosis.Json json;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        List<String> args = ProbeDiagnosis.args(method);
        if (when != null) {
            args.addAll(List.of("--when", when));
        }
        if (show != null) {
            args.addAll(List.of("--show", show));
        }
        args.addAll(List.of("--at", at));
        streaming.add(args);
        json.add(args);
        return agent.stream(ProbeAction.WATCH, target, args);
    }
}
