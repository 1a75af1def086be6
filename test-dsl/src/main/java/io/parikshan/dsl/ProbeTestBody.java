package io.parikshan.dsl;

/** A test run at a probe point; fails by throwing an {@link AssertionError} (JUnit assertions do). */
@FunctionalInterface
public interface ProbeTestBody {

    void run(ProbeContext context) throws Throwable;
}
