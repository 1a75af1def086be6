package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe heapdump CLONE FILE}: an HPROF heap dump of the clone, on the host. */
@Command(name = "heapdump", mixinStandardHelpOptions = true,
        description = {"Write a heap dump (HPROF, live objects) of the clone's JVM and copy it to FILE on the host, "
                + "readable by its owner only. The clone pauses while it dumps; production does not.",
                "The dump holds production's data (every value the service held when it was cloned): keep it like production's database."})
final class ProbeHeapdumpCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CLONE", description = ProbeDiagnosis.TARGET)
    String target;

    @Parameters(index = "1", paramLabel = "FILE", description = "A new file on the host, e.g. clone.hprof.")
    Path file;

    @Mixin
    ProbeDiagnosis.Json json;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        List<String> args = ProbeDiagnosis.args(file.toAbsolutePath().toString());
        json.add(args);
        return agent.stream(ProbeAction.HEAPDUMP, target, args);
    }
}
