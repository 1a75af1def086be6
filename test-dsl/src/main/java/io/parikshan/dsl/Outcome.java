package io.parikshan.dsl;

/** What became of one run of a probe test. */
public enum Outcome {
    /** The test body returned normally. */
    PASS,
    /** The test body threw an {@link AssertionError} (JUnit assertions do). */
    FAIL,
    /** The test body (or the probe's condition) threw anything else. */
    ERROR,
    /** The test body did not finish within the probe's time limit; it was interrupted. */
    TIMEOUT,
    /** The test was not run because every worker of its suite was still busy. */
    SKIPPED;

    /** Lower-case label used in JSON, metrics and reports. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
