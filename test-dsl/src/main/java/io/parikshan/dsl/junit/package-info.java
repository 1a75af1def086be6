/**
 * Runs probe suites in a developer's own JUnit 5 tests, against the local JVM, before sending them to
 * a clone: annotate a test class with {@link io.parikshan.dsl.junit.ProbeSuites}, exercise the code,
 * and any failing probe test fails the JUnit test. Needs the probe agent on the test classpath (it
 * provides the {@link io.parikshan.dsl.spi.LocalProbeRuntime}).
 */
package io.parikshan.dsl.junit;
