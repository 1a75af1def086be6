package io.parikshan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.parikshan.clone.CloneInventory;
import io.parikshan.clone.CloneInventory.CloneInfo;
import io.parikshan.clone.DockerEngine;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code parikshan list}: the clones on this host and their production containers. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List clones, their production containers and age.")
final class ListCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Mixin
    HostOptions host;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (DockerEngine engine = host.engine()) {
            engine.requireReachable();
            List<CloneInfo> clones = new CloneInventory(host.stateRoot()).clones();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(clones));
            } else if (clones.isEmpty()) {
                out.println("no clones");
            } else {
                out.printf("%-28s %-20s %-8s %-10s %s%n", "CLONE", "PRODUCTION", "AGE", "STATUS", "ADDRESSES");
                for (CloneInfo c : clones) {
                    out.printf("%-28s %-20s %-8s %-10s %s%s%n", c.name(), c.production(), age(c.ageSeconds()),
                            c.status(), String.join(", ", c.addresses()), c.testHost() == null ? "" : " (on test host " + c.testHost() + ")");
                }
            }
            out.flush();
            return 0;
        }
    }

    static String age(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        if (d.toDays() > 0) {
            return d.toDays() + "d" + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m" + d.toSecondsPart() + "s";
        }
        return d.toSeconds() + "s";
    }
}
