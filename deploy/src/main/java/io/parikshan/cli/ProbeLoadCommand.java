package io.parikshan.cli;

import io.parikshan.contract.ProbeAction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan probe load TARGET SUITE.jar}: installs a suite's probes in the target JVM. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Copy a suite jar into the target and install its probes (by retransformation).")
final class ProbeLoadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "Clone container name, or pid:<n>.")
    String target;

    @Parameters(index = "1", paramLabel = "SUITE.jar",
            description = "A jar listing its ProbeSuite classes in META-INF/services/io.parikshan.dsl.ProbeSuite.")
    Path suiteJar;

    @Mixin
    ProbeAgentOptions agent;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(suiteJar) || !suiteJar.getFileName().toString().endsWith(".jar")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "suite jar " + suiteJar.toAbsolutePath()
                    + " is not an existing .jar file: build your suite with mvn package");
        }
        return agent.run(ProbeAction.LOAD, target, List.of(suiteJar.toAbsolutePath().toString()));
    }
}
