/**
 * The seam between the DSL and a probe runtime in the same JVM. The probe agent implements
 * {@link io.parikshan.dsl.spi.LocalProbeRuntime} (found with {@link java.util.ServiceLoader}), so the
 * JUnit extension can run suites locally without this module depending on bytecode tooling.
 */
package io.parikshan.dsl.spi;
