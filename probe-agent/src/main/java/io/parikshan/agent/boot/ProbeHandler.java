package io.parikshan.agent.boot;

/** What the dispatcher forwards probe-point hits to: the agent's runtime. */
public interface ProbeHandler {

    /** A method selected by {@code suite} was entered; returns a start timestamp for {@link #exit}. */
    long enter(String suite, String site, Object self, Object[] args);

    /** The method returned ({@code thrown == null}) or threw. */
    void exit(String suite, String site, Object self, Object[] args, Object returned, Throwable thrown, long start);
}
