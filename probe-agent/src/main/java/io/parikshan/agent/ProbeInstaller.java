package io.parikshan.agent;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.is;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.none;

/**
 * Weaves a suite's advice into the selected methods: retransformation of loaded classes (and
 * transformation of classes loaded later) without class format changes, so it works on a running JVM
 * and {@link ResettableClassFileTransformer#reset} restores the original bytes.
 */
final class ProbeInstaller {

    private ProbeInstaller() {
    }

    static ResettableClassFileTransformer install(Instrumentation inst, LoadedSuite suite) {
        ElementMatcher.Junction<TypeDescription> anySelected = none();
        for (ActiveProbe p : suite.probes()) {
            anySelected = anySelected.or(p.typeMatcher());
        }
        Advice advice = Advice.withCustomMapping().bind(SuiteId.class, suite.name()).to(ProbeAdvice.class);
        ElementMatcher.Junction<ClassLoader> ignoredLoaders = suite.loader() == null
                ? isBootstrapClassLoader() : isBootstrapClassLoader().or(is(suite.loader()));
        return new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(new AgentBuilder.RedefinitionStrategy.Listener.Adapter() {
                    @Override
                    public Iterable<? extends List<Class<?>>> onError(int index, List<Class<?>> batch,
                                                                      Throwable throwable, List<Class<?>> types) {
                        suite.error("retransforming " + batch + " failed: " + throwable);
                        return List.of();
                    }
                })
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                                        Throwable throwable) {
                        suite.error("instrumenting " + typeName + " failed: " + throwable);
                    }
                })
                .ignore(ProbeMatchers.neverProbed())
                .or(any(), ignoredLoaders)
                .type(anySelected)
                .transform((builder, type, loader, module, domain) -> weave(builder, type, suite, advice))
                .installOn(inst);
    }

    private static DynamicType.Builder<?> weave(DynamicType.Builder<?> builder, TypeDescription type,
                                                LoadedSuite suite, Advice advice) {
        Map<String, List<ActiveProbe>> bySite = new HashMap<>();
        for (MethodDescription.InDefinedShape method : type.getDeclaredMethods()) {
            for (ActiveProbe p : suite.probes()) {
                if (p.selects(type, method)) {
                    bySite.computeIfAbsent(Sites.of(type, method), k -> new java.util.ArrayList<>()).add(p);
                }
            }
        }
        if (bySite.isEmpty()) {
            return builder;
        }
        suite.register(type.getName(), bySite);
        return builder.visit(advice.on(method -> bySite.containsKey(Sites.of(type, method))));
    }
}
