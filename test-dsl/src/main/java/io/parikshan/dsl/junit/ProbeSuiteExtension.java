package io.parikshan.dsl.junit;

import io.parikshan.dsl.ProbeRun;
import io.parikshan.dsl.ProbeSuite;
import io.parikshan.dsl.spi.LocalProbeRuntime;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Backs {@link ProbeSuites}: loads the suites before all tests, checks runs after each, unloads after all. */
public final class ProbeSuiteExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ProbeSuiteExtension.class);

    /** The loaded suites of one test class; closed by JUnit with the class's store. */
    private static final class Loaded implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final List<LocalProbeRuntime.Session> sessions = new ArrayList<>();
        int seen;

        List<ProbeRun> runs(long waitMillis) {
            List<ProbeRun> all = new ArrayList<>();
            for (LocalProbeRuntime.Session s : sessions) {
                all.addAll(s.runs(waitMillis));
            }
            return all;
        }

        @Override
        public void close() {
            for (LocalProbeRuntime.Session s : sessions) {
                s.close();
            }
            sessions.clear();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ProbeSuites spec = context.getRequiredTestClass().getAnnotation(ProbeSuites.class);
        if (spec == null) {
            throw new ExtensionConfigurationException("annotate " + context.getRequiredTestClass().getName()
                    + " with @ProbeSuites({...}) to choose the suites to load");
        }
        LocalProbeRuntime runtime = ServiceLoader.load(LocalProbeRuntime.class).findFirst().orElseThrow(() ->
                new ExtensionConfigurationException("no probe runtime on the test classpath: add the "
                        + "io.parikshan:probe-agent test dependency"));
        Loaded loaded = new Loaded();
        context.getStore(NS).put(Loaded.class, loaded);
        for (Class<? extends ProbeSuite> type : spec.value()) {
            loaded.sessions.add(runtime.load(instantiate(type)));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Loaded loaded = loaded(context);
        loaded.seen = loaded.runs(0).size();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ProbeSuites spec = context.getRequiredTestClass().getAnnotation(ProbeSuites.class);
        Loaded loaded = loaded(context);
        List<ProbeRun> runs = loaded.runs(2_000);
        List<ProbeRun> during = runs.subList(Math.min(loaded.seen, runs.size()), runs.size());
        loaded.seen = runs.size();
        List<ProbeRun> failed = during.stream().filter(ProbeRun::failed).toList();
        if (spec.failOnProbeFailure() && !failed.isEmpty()) {
            throw new AssertionError(failed.size() + " probe run(s) failed:\n"
                    + failed.stream().map(ProbeRun::toString).collect(Collectors.joining("\n")));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        loaded(context).close();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ProbeResults.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Loaded loaded = loaded(context);
        return new ProbeResults(loaded::runs);
    }

    private static Loaded loaded(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Loaded loaded = classContext.getStore(NS).get(Loaded.class, Loaded.class);
        if (loaded == null) {
            throw new ExtensionConfigurationException("probe suites were not loaded: is @ProbeSuites on the test class?");
        }
        return loaded;
    }

    private static ProbeSuite instantiate(Class<? extends ProbeSuite> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ExtensionConfigurationException("cannot create suite " + type.getName()
                    + ": it needs a public no-argument constructor (" + e + ")", e);
        }
    }
}
