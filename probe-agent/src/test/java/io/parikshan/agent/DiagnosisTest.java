package io.parikshan.agent;

import io.parikshan.probed.diag.Shelf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The diagnoses in this JVM (self-attached): what they see, what they refuse, and that they leave the code as it was. */
class DiagnosisTest {

    @TempDir
    Path dir;

    private static String shelf = Shelf.class.getName();

    @Test
    void watchShowsTheMatchingCallsOnlyWithArgumentsFieldsAndResultAndRestoresTheClass() throws Exception {
        Shelf s = new Shelf();
        s.put("k", "v");
        List<String> restored;
        List<String> events;
        try (LocalDiagnosis d = LocalDiagnosis.start("watch", Map.of("method", "Shelf::get",
                "when", "params[0] == \"K\"", "limit", "5"), dir)) {
            assertThat(d.reply()).contains("methods 1 classes 1", "method " + shelf + "::get");
            s.get("k");
            s.get("K");
            restored = d.end();
            events = d.events();
        }
        assertThat(events).filteredOn(e -> e.contains("\"event\":\"call\"")).singleElement().asString()
                .contains("\"params\":\"[\\\"K\\\"]\"", "\"returnObj\":\"\\\"v\\\"\"", "items={k=v}", "reads=")
                .contains("exit " + shelf + ".get(java.lang.String)");
        assertThat(restored).filteredOn(l -> l.startsWith("restored ")).singleElement().asString()
                .startsWith("restored " + shelf + " code ").endsWith(" as-before");
        assertThat(events).last().asString().contains("\"event\":\"end\"");
    }

    @Test
    void watchAtErrorShowsTheExceptionAndShowEvaluatesPrivateMembers() throws Exception {
        Shelf s = new Shelf();
        try (LocalDiagnosis d = LocalDiagnosis.start("watch", Map.of("method", "Shelf::require", "at", "error",
                "show", "target.items.size() + \":\" + throwExp.message", "limit", "1"), dir)) {
            s.put("a", "1");
            s.require("a");
            try {
                s.require("zz");
            } catch (IllegalStateException expected) {
                // the watched call
            }
            s.require("a");
            assertThat(d.events()).filteredOn(e -> e.contains("\"event\":\"call\"")).singleElement().asString()
                    .contains("\"at\":\"error\"", "\"show\":\"\\\"1:no zz\\\"\"", "IllegalStateException: no zz");
            assertThat(d.events()).anyMatch(e -> e.contains("\"event\":\"limit\""));
            assertThat(d.end()).filteredOn(l -> l.startsWith("restored ")).isNotEmpty().allMatch(l -> l.endsWith("as-before"));
        }
    }

    @Test
    void whenIsCompiledAfterTheFirstCallAndStillSelectsTheRightCalls() throws Exception {
        Shelf s = new Shelf();
        s.put("hit", "yes");
        try (LocalDiagnosis d = LocalDiagnosis.start("watch", Map.of("method", "Shelf::get",
                "when", "params[0] == \"hit\"", "limit", "10"), dir)) {
            s.get("miss");
            Thread.sleep(1_000); // OGNL compiles on an agent thread, typed after the first call
            for (int i = 0; i < 1000; i++) {
                s.get(i % 500 == 0 ? "hit" : "miss");
            }
            List<String> end = d.end();
            assertThat(end).contains("when compiled");
            assertThat(d.events()).filteredOn(e -> e.contains("\"event\":\"call\"")).hasSize(2)
                    .allMatch(e -> e.contains("\"returnObj\":\"\\\"yes\\\"\""));
        }
    }

    @Test
    void anExpressionThatFailsIsSaidOnceNotPerCall() throws Exception {
        Shelf s = new Shelf();
        try (LocalDiagnosis d = LocalDiagnosis.start("watch", Map.of("method", "Shelf::get",
                "when", "target.noSuchField > 1"), dir)) {
            for (int i = 0; i < 20; i++) {
                s.get("x");
            }
            List<String> events = d.events();
            assertThat(events).filteredOn(e -> e.contains("\"event\":\"error\"")).singleElement().asString()
                    .contains("--when 'target.noSuchField > 1' failed", "said once");
            assertThat(events).noneMatch(e -> e.contains("\"event\":\"call\""));
        }
    }

    @Test
    void traceTimesTheCallsInTheBodyAndStackShowsTheCaller() throws Exception {
        Shelf s = new Shelf();
        s.put("k", "v");
        try (LocalDiagnosis d = LocalDiagnosis.start("trace", Map.of("method", "Shelf::get", "limit", "1"), dir)) {
            s.get("k");
            assertThat(d.events()).filteredOn(e -> e.contains("\"event\":\"trace\"")).singleElement().asString()
                    .contains("{\"call\":\"Shelf.lookUp(String)\"", "\"count\":1");
            assertThat(d.end()).filteredOn(l -> l.startsWith("restored ")).singleElement().asString().endsWith("as-before");
        }
        try (LocalDiagnosis d = LocalDiagnosis.start("stack", Map.of("method", "Shelf::lookUp", "limit", "1"), dir)) {
            s.require("k");
            assertThat(d.events()).filteredOn(e -> e.contains("\"event\":\"stack\"")).singleElement().asString()
                    .contains(shelf + ".get(Shelf.java", shelf + ".require(Shelf.java",
                            DiagnosisTest.class.getName() + ".traceTimesTheCallsInTheBodyAndStackShowsTheCaller");
        }
    }

    @Test
    void refusesBadPatternsAndExpressionsBeforeTouchingAnyClass() throws Exception {
        new Shelf().get("warm");
        assertThatThrownBy(() -> LocalDiagnosis.start("watch", Map.of("method", "NoSuchShelf::get"), dir))
                .hasMessageContaining("no loaded class matches 'NoSuchShelf'");
        assertThatThrownBy(() -> LocalDiagnosis.start("watch", Map.of("method", "Shelf::nope"), dir))
                .hasMessageContaining("no method matches 'Shelf::nope': the class has get, lookUp, put, require");
        assertThatThrownBy(() -> LocalDiagnosis.start("watch", Map.of("method", "Shelf"), dir))
                .hasMessageContaining("is not Class::method");
        assertThatThrownBy(() -> LocalDiagnosis.start("watch", Map.of("method", "java.util.HashMap::get"), dir))
                .hasMessageContaining("never instrumented");
        assertThatThrownBy(() -> LocalDiagnosis.start("watch", Map.of("method", "Shelf::get", "when", "params[0] =="), dir))
                .hasMessageContaining("--when 'params[0] ==' is not an OGNL expression");
        // OGNL's own classes are loaded in this JVM (unshaded in tests): hundreds of methods.
        assertThatThrownBy(() -> LocalDiagnosis.start("watch", Map.of("method", "ognl.*::*"), dir))
                .hasMessageMatching(".*'ognl\\.\\*::\\*' matches \\d{3,} methods in \\d+ classes \\(more than 50\\): "
                        + "narrow the pattern, or add --force.*");
        // None of them left a diagnosis running: a new one starts.
        try (LocalDiagnosis d = LocalDiagnosis.start("watch", Map.of("method", "Shelf::put"), dir)) {
            assertThatThrownBy(() -> LocalDiagnosis.start("trace", Map.of("method", "Shelf::get"), dir))
                    .hasMessageContaining("already runs in this JVM");
        }
    }

    @Test
    void threadsNamesADeadlock() throws Exception {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch both = new CountDownLatch(2);
        Thread one = daemon("pk-deadlock-one", () -> lockBoth(a, b, both));
        Thread two = daemon("pk-deadlock-two", () -> lockBoth(b, a, both));
        one.start();
        two.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (java.lang.management.ManagementFactory.getThreadMXBean().findDeadlockedThreads() == null) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        try (LocalDiagnosis d = LocalDiagnosis.start("threads", Map.of(), dir)) {
            List<String> events = d.events();
            assertThat(events).filteredOn(e -> e.contains("\"event\":\"deadlock\"")).singleElement().asString()
                    .contains("pk-deadlock-one", "pk-deadlock-two", "waits for");
            assertThat(events).filteredOn(e -> e.contains("\"name\":\"pk-deadlock-one\"")).singleElement().asString()
                    .contains("\"deadlocked\":true", "\"state\":\"WAITING\"");
            assertThat(events).anyMatch(e -> e.contains("\"cpuMs\":"));
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void lockBoth(ReentrantLock first, ReentrantLock second, CountDownLatch both) {
        first.lock();
        both.countDown();
        try {
            both.await();
        } catch (InterruptedException e) {
            return;
        }
        second.lock(); // never returns: the other thread holds it and waits for ours
    }
}
