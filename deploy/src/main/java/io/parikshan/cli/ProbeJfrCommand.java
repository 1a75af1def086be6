package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe jfr CLONE --duration 30s FILE}: a flight recording of the clone, on the host. */
@Command(name = "jfr", mixinStandardHelpOptions = true,
        description = {"Record a JDK Flight Recording (the 'profile' settings) of the clone's JVM for a duration and copy "
                + "it to FILE on the host, readable by its owner only (read it with jfr summary/print or JMC).",
                "The recording holds production's data (stack traces, class names, strings the service handled)."})
final class ProbeJfrCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CLONE", description = ProbeDiagnosis.TARGET)
    String target;

    @Parameters(index = "1", paramLabel = "FILE", description = "A new file on the host, e.g. clone.jfr.")
    Path file;

    @Option(names = "--duration", paramLabel = "DURATION", required = true, description = "How long to record, e.g. 30s.")
    String duration;

    @Mixin
    ProbeDiagnosis.Json json;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        List<String> args = ProbeDiagnosis.args(file.toAbsolutePath().toString());
        args.addAll(List.of("--duration", duration));
        json.add(args);
        return agent.stream(ProbeAction.JFR, target, args);
    }
}
