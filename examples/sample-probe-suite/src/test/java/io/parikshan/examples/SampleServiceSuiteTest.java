package io.parikshan.examples;

import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.Phase;
import io.parikshan.dsl.ProbeContext;
import io.parikshan.dsl.ProbeRun;
import io.parikshan.dsl.junit.ProbeResults;
import io.parikshan.dsl.junit.ProbeSuites;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The suite against the demo service's real store class (compiled from deploy/demo), in this JVM
 * through the DSL's JUnit extension: lower-case keys pass, keys differing only in case trip
 * {@code kv-read} with a message that says what is wrong. The HTTP path is in {@code SampleServiceProbeIT}.
 */
@ProbeSuites(value = SampleServiceSuite.class, failOnProbeFailure = false)
class SampleServiceSuiteTest {

    static final Path SOURCE = Path.of(System.getProperty("parikshan.demo.source", "../../deploy/demo/SampleService.java"));

    @TempDir
    static Path classes;
    static Object store;
    static Method put;
    static Method get;

    @BeforeAll
    static void compileTheService() throws Exception {
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "--release", "17", "-d", classes.toString(), SOURCE.toString());
        assertThat(rc).as("javac %s", SOURCE).isZero();
        // Loaded after the suite is installed, as a clone's classes may be.
        @SuppressWarnings("resource")
        ClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()}, ClassLoader.getSystemClassLoader());
        Class<?> type = Class.forName(SampleServiceSuite.STORE_TYPE, true, loader);
        Constructor<?> c = type.getDeclaredConstructor();
        c.setAccessible(true);
        store = c.newInstance();
        put = type.getDeclaredMethod("put", String.class, String.class);
        get = type.getDeclaredMethod("get", String.class);
        put.setAccessible(true);
        get.setAccessible(true);
    }

    private static String get(String key) throws Exception {
        return (String) get.invoke(store, key);
    }

    /** Runs accumulate over the test class, so correct traffic and the bug's trigger are one sequence. */
    @Test
    void lowerCaseKeysPassAndAKeyDifferingOnlyInCaseFailsWithWhatIsWrong(ProbeResults results) throws Exception {
        put.invoke(store, "k-1-1", "v-1-1");
        put.invoke(store, "k-1-2", "v-1-2");
        assertThat(get("k-1-1")).isEqualTo("v-1-1");
        assertThat(get("k-1-2")).isEqualTo("v-1-2");
        put.invoke(store, "k-1-1", "v-1-3");
        assertThat(get("k-1-1")).isEqualTo("v-1-3");
        assertThat(get("k-9-9")).isNull();
        assertThat(results.runs("kv-read")).hasSize(4).allMatch(r -> r.outcome() == Outcome.PASS);

        put.invoke(store, "User42", "alice@example.org");
        assertThat(get("User42")).isEqualTo("alice@example.org");
        assertThat(get("user42")).as("the latent bug: user42 was never stored").isEqualTo("alice@example.org");

        assertThat(results.runs("kv-read")).extracting(ProbeRun::outcome)
                .containsExactly(Outcome.PASS, Outcome.PASS, Outcome.PASS, Outcome.PASS, Outcome.PASS, Outcome.FAIL);
        assertThat(results.runs("kv-read").get(5).message())
                .isEqualTo("GET user42 served 'alice@example.org' but the store has no such key (keys differing only in case: User42)");
    }

    /** An exit of KeyValueStore.get on the real store, as the agent hands it to the test body. */
    record GetExit(Object receiver, String key, String returnValue) implements ProbeContext {
        public String probeName() { return "kv-read"; }
        public Phase phase() { return Phase.EXIT; }
        public String typeName() { return SampleServiceSuite.STORE_TYPE; }
        public String methodName() { return "get"; }
        public int argCount() { return 1; }
        public Object arg(int index) { return key; }
        public Optional<Throwable> thrown() { return Optional.empty(); }
        public Duration elapsed() { return Duration.ZERO; }
        public Thread thread() { return Thread.currentThread(); }
    }

    @Test
    void aGetRacedByAPutOfTheSameKeyIsNotReportedButACaseVariantIs() throws Exception {
        put.invoke(store, "k-5-1", "v-5-1");
        // The clone served GET k-5-1 (404) while the PUT ran on another duplicated connection.
        assertThatCode(() -> SampleServiceSuite.servedValueIsStored(new GetExit(store, "k-5-1", null)))
                .doesNotThrowAnyException();
        put.invoke(store, "K-5-1", "other");
        assertThatThrownBy(() -> SampleServiceSuite.servedValueIsStored(new GetExit(store, "k-5-1", "other")))
                .isInstanceOf(AssertionError.class)
                .hasMessage("GET k-5-1 served 'other' but the store has 'v-5-1' (keys differing only in case: K-5-1)");
    }
}
