package io.parikshan.agent.boot;

/** What {@link DiagDispatcher} forwards to: the one running diagnosis (watch, trace or stack). */
public interface DiagHandler {

    /** A diagnosed method was entered; a non-zero result asks for {@link #exit} (a start timestamp). */
    long enter(String site, Object self, Object[] args);

    /** The method returned ({@code thrown == null}) or threw. */
    void exit(String site, Object self, Object[] args, Object returned, Throwable thrown, long start);

    /** Before call site {@code call} inside a traced method. */
    void callBefore(int call);

    /** After call site {@code call} returned normally. */
    void callAfter(int call);
}
