package io.parikshan.agent;

import io.parikshan.dsl.MethodSelector;
import io.parikshan.dsl.NamePattern;
import io.parikshan.dsl.TypeSelector;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameMatches;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;

/** Turns the DSL's selectors (plain data) into Byte Buddy matchers. */
final class ProbeMatchers {

    private ProbeMatchers() {
    }

    /** Never instrumented, whatever a suite says: the JDK, the agent, the DSL, JUnit, Byte Buddy. */
    static ElementMatcher.Junction<TypeDescription> neverProbed() {
        return nameStartsWith("java.").or(nameStartsWith("javax.")).or(nameStartsWith("jdk."))
                .or(nameStartsWith("sun.")).or(nameStartsWith("com.sun."))
                .or(nameStartsWith("io.parikshan.agent.")).or(nameStartsWith("io.parikshan.dsl."))
                .or(nameStartsWith("org.junit.")).or(nameStartsWith("org.opentest4j."))
                .or(nameStartsWith("net.bytebuddy.")).or(nameStartsWith("io.prometheus."))
                .or(isSynthetic());
    }

    static ElementMatcher.Junction<TypeDescription> types(TypeSelector selector) {
        ElementMatcher.Junction<TypeDescription> m = none();
        for (NamePattern n : selector.names()) {
            m = m.or(nameMatches(n.regex()));
        }
        for (String p : selector.packages()) {
            m = m.or(nameStartsWith(p + "."));
        }
        for (String a : selector.annotations()) {
            m = m.or(isAnnotatedWith(named(a)));
        }
        return m;
    }

    static ElementMatcher.Junction<MethodDescription> methods(MethodSelector selector) {
        ElementMatcher.Junction<MethodDescription> probeable =
                isMethod().and(not(isAbstract())).and(not(isNative())).and(not(isSynthetic())).and(not(isBridge()));
        if (selector.selectsAll()) {
            return probeable;
        }
        ElementMatcher.Junction<MethodDescription> m = none();
        for (NamePattern n : selector.names()) {
            m = m.or(nameMatches(n.regex()));
        }
        for (String a : selector.annotations()) {
            m = m.or(isAnnotatedWith(named(a)));
        }
        return probeable.and(m);
    }
}
