package io.parikshan.dsl;

/**
 * Whether a hit of a probe point should run the probe's tests. Runs ON THE APPLICATION THREAD, so
 * keep it a cheap, side-effect-free check; if it throws, the hit is recorded as an error.
 */
@FunctionalInterface
public interface ProbeCondition {

    ProbeCondition ALWAYS = context -> true;

    boolean test(ProbeContext context) throws Exception;
}
