package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe stack CLONE Class::method}: the stacks that reach a method. */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Stream the call stack of each call of a method in the clone's JVM.")
final class ProbeStackCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CLONE", description = ProbeDiagnosis.TARGET)
    String target;

    @Parameters(index = "1", paramLabel = "Class::method", description = ProbeDiagnosis.METHOD)
    String method;

    @Option(names = "--when", paramLabel = "EXPR", description = "Only calls where this OGNL expression is true (params, target).")
    String when;

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
        streaming.add(args);
        json.add(args);
        return agent.stream(ProbeAction.STACK, target, args);
    }
}
