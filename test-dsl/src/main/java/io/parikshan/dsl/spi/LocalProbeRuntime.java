package io.parikshan.dsl.spi;

import io.parikshan.dsl.ProbeRun;
import io.parikshan.dsl.ProbeSuite;

import java.util.List;

/** Installs suites in the current JVM; provided by the probe agent. */
public interface LocalProbeRuntime {

    /** Installs the suite's probes in this JVM (retransforming loaded classes) and starts recording. */
    Session load(ProbeSuite suite);

    /** An installed suite. */
    interface Session extends AutoCloseable {

        /** Waits up to {@code timeoutMillis} for test runs still in flight, then returns all runs so far. */
        List<ProbeRun> runs(long timeoutMillis);

        /** Uninstalls the probes and restores the original class bytes. */
        @Override
        void close();
    }
}
