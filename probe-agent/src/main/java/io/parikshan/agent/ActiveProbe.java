package io.parikshan.agent;

import io.parikshan.dsl.Frequency;
import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeCondition;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** A probe of a loaded suite: its matchers, and the per-hit decision whether its tests run. */
final class ActiveProbe {

    /**
     * Per application thread: the context a condition is evaluated on (reused, so a false condition
     * allocates nothing) and whether a condition is running (probed calls inside it are ignored).
     */
    private static final ThreadLocal<ConditionScratch> SCRATCH = ThreadLocal.withInitial(ConditionScratch::new);

    private static final class ConditionScratch {
        final Invocation context = new Invocation();
        boolean busy;
    }

    private final LoadedSuite suite;
    private final Probe probe;
    private final ElementMatcher<TypeDescription> types;
    private final ElementMatcher<MethodDescription> methods;
    private final boolean entry;
    private final boolean exit;
    private final boolean exception;
    private final double rate;
    private final long limit;
    private final AtomicLong runs = new AtomicLong();
    private final LongAdder hits = new LongAdder();

    ActiveProbe(LoadedSuite suite, Probe probe) {
        this.suite = suite;
        this.probe = probe.validate();
        this.types = ProbeMatchers.types(probe.types());
        this.methods = ProbeMatchers.methods(probe.methods());
        this.entry = probe.phases().contains(Phase.ENTRY);
        this.exit = probe.phases().contains(Phase.EXIT);
        this.exception = probe.phases().contains(Phase.EXCEPTION);
        Frequency f = probe.frequency();
        this.rate = f.rate();
        this.limit = f.limit();
    }

    Probe probe() {
        return probe;
    }

    String name() {
        return probe.name();
    }

    /** Hits considered so far (after sampling and limits, before the condition). */
    long hits() {
        return hits.sum();
    }

    boolean selects(TypeDescription type, MethodDescription method) {
        return types.matches(type) && methods.matches(method);
    }

    ElementMatcher<TypeDescription> typeMatcher() {
        return types;
    }

    boolean firesAt(Phase phase) {
        return switch (phase) {
            case ENTRY -> entry;
            case EXIT -> exit;
            case EXCEPTION -> exception;
        };
    }

    /** Whether this probe may still run tests (its limit is not used up). */
    boolean live() {
        return runs.get() < limit;
    }

    /**
     * Called on the application thread for a hit at one of this probe's phases.
     *
     * @param start {@link System#nanoTime()} at method entry (exit phases), else 0
     */
    void hit(Phase phase, String site, Object self, Object[] args, Object returned, Throwable thrown, long start) {
        if (rate < 1.0 && ThreadLocalRandom.current().nextDouble() >= rate) {
            return;
        }
        if (runs.get() >= limit) {
            return;
        }
        hits.increment();
        Invocation inv;
        ProbeCondition condition = probe.condition();
        if (condition == ProbeCondition.ALWAYS) {
            inv = new Invocation(probe.name(), phase, site, self, args, returned, thrown, start, Thread.currentThread());
        } else {
            ConditionScratch scratch = SCRATCH.get();
            if (scratch.busy) {
                return;
            }
            scratch.busy = true;
            Invocation ctx = scratch.context.reset(probe.name(), phase, site, self, args, returned, thrown, start,
                    Thread.currentThread());
            try {
                if (!condition.test(ctx)) {
                    return;
                }
                inv = ctx.copy();
            } catch (Throwable t) {
                if (runs.incrementAndGet() <= limit) {
                    ctx.freezeElapsed();
                    suite.recordConditionError(this, ctx.copy(), t);
                }
                return;
            } finally {
                ctx.clear();
                scratch.busy = false;
            }
        }
        if (runs.incrementAndGet() > limit) {
            return;
        }
        inv.freezeElapsed();
        suite.runTests(this, inv);
    }
}
