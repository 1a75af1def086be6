package io.parikshan.contract;

import java.util.Optional;

/**
 * The actions of an agent argument ({@code -javaagent:agent.jar=ARGS} or a dynamic attach's
 * argument): comma-separated items, each a verb or {@code verb=value}, e.g.
 * {@code load=/tmp/parikshan/suites/s.jar,force}.
 */
public enum AgentVerb {
    /** Initialise the agent only. */
    ATTACH("attach", null),
    /** Load the probe suites of a jar. */
    LOAD("load", "<jar>"),
    /** Unload a suite by name. */
    UNLOAD("unload", "<suite>"),
    /** Describe the loaded suites. */
    LIST("list", null),
    /** Write the reports (JUnit XML, metrics snapshot) now. */
    REPORT("report", null),
    /** Digest of a loaded class's current code. */
    INSPECT("inspect", "<class>"),
    /** Serve Prometheus metrics on a port. */
    METRICS("metrics", "[host:]port"),
    /** Start a diagnosis (watch, trace, stack, threads, heapdump, jfr) described by a request file in the agent's directory. */
    DIAGNOSE("diagnose", "<request file>"),
    /** End a diagnosis by id: remove its advice, restore the classes, report their code digests. */
    END("end", "<diagnosis id>"),
    /** Redefine the loaded classes of a jar with its class files (method bodies only; a changed schema is refused). */
    PATCH("patch", "<jar>");

    private final String wireName;
    private final String valueHint;

    AgentVerb(String wireName, String valueHint) {
        this.wireName = wireName;
        this.valueHint = valueHint;
    }

    /** The verb as written in the agent argument. */
    public String wireName() {
        return wireName;
    }

    /** Whether the verb needs a value ({@code verb=value}). */
    public boolean takesValue() {
        return valueHint != null;
    }

    /** How to write the verb, e.g. {@code load=<jar>} or {@code list}. */
    public String usage() {
        return valueHint == null ? wireName : wireName + "=" + valueHint;
    }

    /** The item {@code verb=value}. */
    public String with(String value) {
        return wireName + "=" + value;
    }

    /** The verb of a wire name, or empty. */
    public static Optional<AgentVerb> ofWire(String name) {
        for (AgentVerb v : values()) {
            if (v.wireName.equals(name)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
