package io.parikshan.contract;

import java.util.Optional;

/**
 * The actions of the probe agent's host side (probe-control), {@code ACTION TARGET [ARG] [options]},
 * which the CLI calls in-process (options: {@link Contract#HOST_OPTION_DIR} and the other
 * {@code HOST_OPTION_}s).
 */
public enum ProbeAction {
    /** Attach the agent to the target JVM. */
    ATTACH("attach"),
    /** Stage a suite jar in the target and load it. */
    LOAD("load"),
    /** Unload a suite by name. */
    UNLOAD("unload"),
    /** List the loaded suites. */
    LIST("list"),
    /** Write the reports and print results, JUnit XML or the metrics snapshot. */
    RESULTS("results"),
    /** Stream the calls of a method with arguments, receiver, result and time (an expression filters and shows). */
    WATCH("watch"),
    /** Stream the call tree one level under a method, with each child's time. */
    TRACE("trace"),
    /** Stream the call stacks that reach a method. */
    STACK("stack"),
    /** Print the threads with state and CPU time, and name deadlocks. */
    THREADS("threads"),
    /** Write a heap dump of the target and copy it to the host, owner-only. */
    HEAPDUMP("heapdump"),
    /** Record a JFR flight recording of the target for a duration and copy it to the host, owner-only. */
    JFR("jfr"),
    /** Stage a jar of changed classes in the target and redefine the loaded ones with them. */
    PATCH("patch");

    private final String wireName;

    ProbeAction(String wireName) {
        this.wireName = wireName;
    }

    /** The action as written on the command line. */
    public String wireName() {
        return wireName;
    }

    /** The action of a command-line word, or empty. */
    public static Optional<ProbeAction> ofWire(String name) {
        for (ProbeAction a : values()) {
            if (a.wireName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
