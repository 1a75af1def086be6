/**
 * The language users write probe tests in. A {@link io.parikshan.dsl.ProbeSuite} lists
 * {@link io.parikshan.dsl.Probe}s; each probe says where (type and method selectors), when
 * ({@link io.parikshan.dsl.Phase}), under what condition, how often ({@link io.parikshan.dsl.Frequency})
 * and which tests run there. Tests get a typed {@link io.parikshan.dsl.ProbeContext} and use JUnit 5
 * assertions (any {@link java.lang.AssertionError} counts as a failure).
 *
 * <p>Everything here is plain data plus lambdas: no bytecode library, so a suite jar needs only this
 * module (and junit-jupiter-api) to compile. The probe agent turns selectors into matchers.
 */
package io.parikshan.dsl;
