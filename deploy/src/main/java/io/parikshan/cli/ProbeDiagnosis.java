package io.parikshan.cli;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Options every diagnosis verb has: --json, and for the streaming ones -n and --timeout. */
final class ProbeDiagnosis {

    private ProbeDiagnosis() {
    }

    static final String TARGET = "The clone's container name (or pid:<n> with --force for a JVM of your own).";
    static final String METHOD = "Class::method; the class by binary name (com.acme.Store, Outer$Inner) or its last part "
            + "(Store); * matches any characters (Store::get*). More than 50 methods need --force.";

    static final class Json {
        @Option(names = "--json", description = "One JSON object a line (each with \"event\" and \"text\"), also on failure.")
        boolean json;

        void add(List<String> args) {
            if (json) {
                args.add("--json");
            }
        }
    }

    static final class Streaming {
        @Option(names = "-n", paramLabel = "N", defaultValue = "100",
                description = "Stop after N events (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
                description = "Stop after this long, e.g. 30s, 5m (default: ${DEFAULT-VALUE}); Ctrl-C stops too. "
                        + "The clone's classes are restored either way.")
        String timeout;

        void add(List<String> args) {
            args.addAll(List.of("-n", Integer.toString(limit), "--timeout", timeout));
        }
    }

    static List<String> args(String first) {
        List<String> a = new ArrayList<>();
        if (first != null) {
            a.add(first);
        }
        return a;
    }
}
