package io.parikshan.contract;

/**
 * The names and paths that the clone manager, the probe agent (in the clone and on the host) and the
 * CLI agree on. They are strings, so that annotations and {@code switch} labels can use them too;
 * {@code Path.of(...)} them where a path is needed.
 */
public final class Contract {

    /** File name of the clone marker, at the root of every clone's file system; production never has it. */
    public static final String CLONE_MARKER_NAME = ".parikshan-clone";

    /** The clone marker, as processes inside the clone see it. */
    public static final String CLONE_MARKER = "/" + CLONE_MARKER_NAME;

    /** Key of the marker's first line, {@code clone=<clone name>}. */
    public static final String MARKER_CLONE_KEY = "clone";

    /** Key of the marker's second line, {@code production=<production container>}. */
    public static final String MARKER_PRODUCTION_KEY = "production";

    /** The probe agent's directory inside the target JVM's file system, unless told otherwise. */
    public static final String AGENT_DIR = "/tmp/parikshan";

    /** The agent's reply to a command, in its directory: first line {@code ok} or {@code error <why>}. */
    public static final String REPLY_FILE = "reply.txt";

    /** Probe test runs, one JSON object a line, in the agent's directory. */
    public static final String RESULTS_FILE = "results.jsonl";

    /** JUnit XML reports ({@code TEST-*.xml}), a directory in the agent's directory. */
    public static final String JUNIT_DIR = "junit";

    /** The agent's Prometheus text snapshot, rewritten every few seconds in its directory. */
    public static final String METRICS_FILE = "metrics.prom";

    /** Probe test runs, a counter in {@link #METRICS_FILE}, labelled {@link #LABEL_SUITE}, {@link #LABEL_PROBE}, {@link #LABEL_OUTCOME}. */
    public static final String PROBE_INVOCATIONS_SERIES = "parikshan_probe_invocations_total";

    /** Label of a probe series: the suite's name. */
    public static final String LABEL_SUITE = "suite";

    /** Label of a probe series: the probe test's name. */
    public static final String LABEL_PROBE = "probe";

    /** Label of a probe series: the run's outcome (pass, fail, error, timeout, skipped). */
    public static final String LABEL_OUTCOME = "outcome";

    /** Agent argument option {@code dir=<path>}: the agent's directory (first attach only). */
    public static final String AGENT_OPTION_DIR = "dir";

    /** Agent argument flag: act even without the clone marker. */
    public static final String AGENT_OPTION_FORCE = "force";

    /** Host control option {@code --dir DIR}: the agent's directory inside the target. */
    public static final String HOST_OPTION_DIR = "--dir";

    /**
     * Host control option {@code --state-dir DIR}: Parikshan's state directory on this host, where the
     * record of a clone on a test host says which host that is.
     */
    public static final String HOST_OPTION_STATE_DIR = "--state-dir";

    /** Host control flag: act on a target without the clone marker. */
    public static final String HOST_OPTION_FORCE = "--force";

    /** Host control option: {@code attach} serves metrics on {@code [HOST:]PORT}; {@code results} prints the snapshot. */
    public static final String HOST_OPTION_METRICS = "--metrics";

    /** Host control flag of {@code results}: print the JUnit XML reports. */
    public static final String HOST_OPTION_JUNIT = "--junit";

    /** Diagnoses, a directory in the agent's directory: {@code <id>.request} (properties) and {@code <id>.jsonl} (events). */
    public static final String DIAG_DIR = "diag";

    /** runc's state directory for Parikshan's clones, apart from the engine's so the engine never sees them. */
    public static final String CLONES_RUNC_ROOT = "/run/parikshan/runc";

    private Contract() {
    }
}
