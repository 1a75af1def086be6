package io.parikshan.agent;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.ProbeContext;

import java.time.Duration;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * One hit of a probe point: the live values of the probed call, as {@link ProbeContext}. Mutable only so
 * that conditions can be evaluated on a per-thread scratch instance without allocating.
 */
final class Invocation implements ProbeContext {

    private static final Object[] NO_ARGS = new Object[0];
    private static final int SUMMARY_VALUE_CHARS = 60;

    private String probeName;
    private Phase phase;
    private String site;
    private Object self;
    private Object[] args;
    private Object returned;
    private Throwable thrown;
    private long start;
    private long elapsedNanos = -1;
    private Thread thread;

    Invocation(String probeName, Phase phase, String site, Object self, Object[] args, Object returned,
               Throwable thrown, long start, Thread thread) {
        reset(probeName, phase, site, self, args, returned, thrown, start, thread);
    }

    /** An empty context, to be {@link #reset} before use (a per-thread scratch object for conditions). */
    Invocation() {
    }

    Invocation reset(String probeName, Phase phase, String site, Object self, Object[] args, Object returned,
                     Throwable thrown, long start, Thread thread) {
        this.probeName = probeName;
        this.phase = phase;
        this.site = site;
        this.self = self;
        this.args = args == null ? NO_ARGS : args;
        this.returned = returned;
        this.thrown = thrown;
        this.start = start;
        this.elapsedNanos = -1;
        this.thread = thread;
        return this;
    }

    /** A copy that outlives this hit (handed to test workers), with the elapsed time as read so far. */
    Invocation copy() {
        Invocation c = new Invocation(probeName, phase, site, self, args, returned, thrown, start, thread);
        c.elapsedNanos = elapsedNanos;
        return c;
    }

    /** Drops references to application objects, so a scratch context keeps nothing alive. */
    void clear() {
        reset(null, null, null, null, null, null, null, 0L, null);
    }

    @Override
    public String probeName() {
        return probeName;
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public String typeName() {
        return Sites.typeName(site);
    }

    @Override
    public String methodName() {
        return Sites.methodName(site);
    }

    @Override
    public int argCount() {
        return args.length;
    }

    @Override
    public Object arg(int index) {
        if (index < 0 || index >= args.length) {
            throw new IndexOutOfBoundsException("argument " + index + " of " + methodName() + ", which takes "
                    + args.length);
        }
        return args[index];
    }

    @Override
    public Object receiver() {
        return self;
    }

    @Override
    public Object returnValue() {
        return phase == Phase.EXIT ? returned : null;
    }

    @Override
    public Optional<Throwable> thrown() {
        return Optional.ofNullable(thrown);
    }

    @Override
    public Duration elapsed() {
        return Duration.ofNanos(freezeElapsed());
    }

    /**
     * Reads the clock once, on the application thread (a condition asking, or just before tests are
     * handed to workers): a condition that never asks costs no clock read.
     */
    long freezeElapsed() {
        if (elapsedNanos < 0) {
            elapsedNanos = start == 0L ? 0L : Math.max(0L, System.nanoTime() - start);
        }
        return elapsedNanos;
    }

    @Override
    public Thread thread() {
        return thread;
    }

    /** A short, bounded description for results: method, arguments, result, thread. */
    String summary() {
        StringJoiner a = new StringJoiner(", ", typeName() + "." + methodName() + "(", ")");
        for (Object arg : args) {
            a.add(describe(arg));
        }
        String s = a.toString();
        if (phase == Phase.EXIT) {
            s += " -> " + describe(returned);
        } else if (phase == Phase.EXCEPTION) {
            s += " threw " + describe(thrown);
        }
        return s + " on " + thread.getName();
    }

    private static String describe(Object value) {
        String s;
        try {
            s = value instanceof String str ? '"' + str + '"' : String.valueOf(value);
        } catch (Throwable t) {
            s = "<toString threw " + t.getClass().getSimpleName() + ">";
        }
        return s.length() > SUMMARY_VALUE_CHARS ? s.substring(0, SUMMARY_VALUE_CHARS) + "..." : s;
    }
}
