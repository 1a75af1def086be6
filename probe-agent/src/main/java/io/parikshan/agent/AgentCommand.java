package io.parikshan.agent;

import io.parikshan.contract.AgentVerb;
import io.parikshan.contract.Contract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What one attach (or {@code -javaagent}) asks of the agent, parsed from the agent argument:
 * comma-separated {@code key=value} items or flags, e.g. {@code load=/tmp/parikshan/suites/s.jar,force}.
 *
 * <p>Actions ({@link AgentVerb}): {@code attach} (initialise only), {@code load=<jar>}, {@code unload=<suite>},
 * {@code list}, {@code report}, {@code inspect=<class>}, {@code metrics=[host:]port}, {@code diagnose=<request file>}, {@code end=<id>}, {@code patch=<jar>}.
 * Options: {@code dir=<results dir>} (first attach only; default /tmp/parikshan), {@code force}
 * (run tests even without the clone marker).
 */
record AgentCommand(List<Action> actions, Path dir, boolean force) {

    static final Path DEFAULT_DIR = Path.of(Contract.AGENT_DIR);

    private static final String USAGE = Arrays.stream(AgentVerb.values()).map(AgentVerb::usage)
            .collect(Collectors.joining(", ")) + ", " + Contract.AGENT_OPTION_DIR + "=<path>, " + Contract.AGENT_OPTION_FORCE;

    record Action(AgentVerb verb, String value) {
        Action {
            Objects.requireNonNull(verb, "verb");
        }
    }

    AgentCommand {
        actions = List.copyOf(actions);
        Objects.requireNonNull(dir, "dir");
    }

    static AgentCommand parse(String args) {
        List<Action> actions = new ArrayList<>();
        Path dir = DEFAULT_DIR;
        boolean force = false;
        if (args != null) {
            for (String item : args.split(",")) {
                String it = item.strip();
                if (it.isEmpty()) {
                    continue;
                }
                int eq = it.indexOf('=');
                String key = eq < 0 ? it : it.substring(0, eq);
                String value = eq < 0 ? null : it.substring(eq + 1);
                switch (key) {
                    case Contract.AGENT_OPTION_DIR -> dir = Path.of(require(key, value));
                    case Contract.AGENT_OPTION_FORCE -> force = true;
                    default -> {
                        AgentVerb verb = AgentVerb.ofWire(key).orElseThrow(() -> new IllegalArgumentException(
                                "unknown agent argument '" + it + "': use " + USAGE));
                        actions.add(new Action(verb, verb.takesValue() ? require(key, value) : null));
                    }
                }
            }
        }
        if (actions.isEmpty()) {
            actions.add(new Action(AgentVerb.ATTACH, null));
        }
        return new AgentCommand(actions, dir, force);
    }

    private static String require(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("agent argument '" + key + "' needs a value: " + key + "=...");
        }
        return value;
    }
}
