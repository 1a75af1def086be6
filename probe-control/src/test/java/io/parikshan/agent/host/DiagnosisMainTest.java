package io.parikshan.agent.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The diagnosis actions' command line: mistakes are one line naming the value, before any target is looked up. */
class DiagnosisMainTest {

    record Run(int status, String out, String err) {
    }

    /** An agent jar that need not exist: none of these runs gets as far as copying it. */
    static final Path AGENT_JAR = Path.of("parikshan-probe-agent.jar");

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = ProbeHostMain.run(AGENT_JAR, args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void badOptionsAreBadUsageNamingTheValue() {
        assertThat(run("watch", "pid:1").err()).isEqualTo("parikshan probe watch: usage: watch TARGET Class::method [options]\n");
        assertThat(run("watch", "pid:1", "A::b", "-n", "0")).extracting(Run::status, Run::err)
                .containsExactly(2, "parikshan probe watch: -n '0' is not a positive number\n");
        assertThat(run("watch", "pid:1", "A::b", "--at", "middle").err()).contains("--at 'middle' is not entry, exit or error");
        assertThat(run("trace", "pid:1", "A::b", "--timeout", "soon").err())
                .contains("--timeout 'soon' is not a duration such as 500ms, 30s or 5m");
        assertThat(run("trace", "pid:1", "A::b", "--cost-over", "-1").err()).contains("--cost-over '-1' is not a number");
        assertThat(run("jfr", "pid:1", "/tmp/x.jfr").err()).contains("jfr needs --duration, e.g. --duration 30s");
        assertThat(run("threads", "pid:1", "extra").err()).contains("unexpected argument 'extra'");
        assertThat(run("stack", "pid:1", "A::b", "--colour").status()).isEqualTo(2);
    }

    @Test
    void aDumpNeverOverwritesAndJsonFailuresAreJson(@TempDir Path dir) throws Exception {
        Path existing = Files.writeString(dir.resolve("old.hprof"), "x");
        Run r = run("heapdump", "pid:1", existing.toString(), "--json");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("parikshan probe heapdump: " + existing + " exists: give a new file name (a dump never overwrites)\n");
        assertThat(r.out()).isEqualTo("{\"ok\":false,\"command\":\"probe heapdump\",\"error\":\"" + existing
                + " exists: give a new file name (a dump never overwrites)\",\"log\":null}\n");
        assertThat(Files.readString(existing)).isEqualTo("x");
    }

    @Test
    void aTargetThatIsNoJvmIsOneLine() throws Exception {
        long self = ProcessHandle.current().pid();
        // The parent of the test JVM is a java process too under Maven; pid 2 (kthreadd) is never one.
        Run r = run("threads", "pid:2", "--force");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("parikshan probe threads: pid 2 is not a Java VM (no libjvm.so mapped): "
                + "give the pid of a java process (see jps)\n");
        assertThat(self).isPositive();
    }

    @Test
    void durations() throws Exception {
        assertThat(DiagnosisMain.millis("--duration", "500ms", 0)).isEqualTo(500);
        assertThat(DiagnosisMain.millis("--duration", "30s", 0)).isEqualTo(30_000);
        assertThat(DiagnosisMain.millis("--duration", "30", 0)).isEqualTo(30_000);
        assertThat(DiagnosisMain.millis("--duration", "5m", 0)).isEqualTo(300_000);
        assertThat(DiagnosisMain.millis("--duration", null, 7)).isEqualTo(7);
    }

    @Test
    void jsonLinesStringsAreUnescaped() {
        String line = "{\"event\":\"call\",\"text\":\"exit a \\\"q\\\" \\u00e9\\nx\",\"path\":\"/tmp/p\"}";
        assertThat(JsonLine.string(line, "event")).isEqualTo("call");
        assertThat(JsonLine.string(line, "text")).isEqualTo("exit a \"q\" \u00e9\nx");
        assertThat(JsonLine.string(line, "path")).isEqualTo("/tmp/p");
        assertThat(JsonLine.string(line, "nope")).isNull();
    }
}
