package io.parikshan.dsl.junit;

import io.parikshan.dsl.ProbeSuite;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Loads these suites into the test JVM for the whole test class; unloads them afterwards.
 * Test methods may declare a {@link ProbeResults} parameter to inspect the runs.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(ProbeSuiteExtension.class)
public @interface ProbeSuites {

    /** Suite classes, each with a public no-argument constructor. */
    Class<? extends ProbeSuite>[] value();

    /** Whether a failed, erroneous or timed-out probe run fails the JUnit test during which it ran. */
    boolean failOnProbeFailure() default true;
}
