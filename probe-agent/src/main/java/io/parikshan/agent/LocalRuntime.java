package io.parikshan.agent;

import io.parikshan.dsl.ProbeRun;
import io.parikshan.dsl.ProbeSuite;
import io.parikshan.dsl.spi.LocalProbeRuntime;
import net.bytebuddy.agent.ByteBuddyAgent;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs suites inside the current JVM (a developer's unit tests, a benchmark): installs the agent
 * into this JVM and loads the suite. No clone marker is required; results stay in memory.
 */
public final class LocalRuntime implements LocalProbeRuntime {

    @Override
    public Session load(ProbeSuite suite) {
        Instrumentation inst = ByteBuddyAgent.install();
        try {
            BootstrapInjector.inject(inst, Path.of(System.getProperty("java.io.tmpdir"), "parikshan-local"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot prepare the probe dispatcher: " + e.getMessage(), e);
        }
        return LocalSession.open(inst, suite);
    }

    /** Kept separate so that nothing linking against the boot classes loads before the injection. */
    static final class LocalSession implements Session {
        private final ProbeRuntime runtime;
        private final LoadedSuite suite;

        private LocalSession(ProbeRuntime runtime, LoadedSuite suite) {
            this.runtime = runtime;
            this.suite = suite;
        }

        static LocalSession open(Instrumentation inst, ProbeSuite suite) {
            ProbeRuntime rt = ProbeRuntime.get(inst, null);
            return new LocalSession(rt, rt.load(suite, null, null));
        }

        @Override
        public List<ProbeRun> runs(long timeoutMillis) {
            suite.awaitIdle(timeoutMillis);
            return suite.runs();
        }

        @Override
        public void close() {
            runtime.unload(suite.name());
        }
    }
}
