package io.parikshan.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a JVM's answer to a {@code load} over its attach socket means, and the shell step that opens the socket. */
class HotSpotAttachTest {

    @TempDir
    Path tmp;

    @Test
    void aLoadThatRanIsStatusZeroThenReturnCodeZero() {
        assertThatCode(() -> HotSpotAttach.checkLoaded("0\nreturn code: 0\n", "clone c", "/a.jar")).doesNotThrowAnyException();
        // before JDK 9 the load's own result was the bare number
        assertThatCode(() -> HotSpotAttach.checkLoaded("0\n0\n", "clone c", "/a.jar")).doesNotThrowAnyException();
    }

    @Test
    void aFailedAgentmainOrARefusalIsOneLineNamingTheTarget() {
        assertThatThrownBy(() -> HotSpotAttach.checkLoaded("0\nreturn code: 100\n", "clone c", "/a.jar"))
                .isInstanceOf(ProbeControlException.class)
                .hasMessage("loading the agent into clone c failed: its agentmain failed (return code 100)");
        assertThatThrownBy(() -> HotSpotAttach.checkLoaded("100\nagent library failed Agent_OnAttach: instrument\n", "clone c", "/a.jar"))
                .hasMessageStartingWith("the JVM of clone c refused the agent: agent library failed Agent_OnAttach: instrument")
                .hasMessageContaining("-javaagent:/a.jar");
        assertThatThrownBy(() -> HotSpotAttach.checkLoaded("0\nsome message\n", "clone c", "/a.jar"))
                .hasMessage("loading the agent into clone c failed: some message");
    }

    /** The socket-opening script as the test host's shell runs it, against a JVM of this host's. */
    @Test
    void theScriptOpensTheAttachSocketOfARunningJvmAndLeavesNoTriggerFile() throws Exception {
        Path main = tmp.resolve("Sleep.java");
        Files.writeString(main, "public class Sleep { public static void main(String[] a) throws Exception { Thread.sleep(120_000); } }");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process jvm = new ProcessBuilder(java.toString(), main.toString()).directory(tmp.toFile()).start();
        try {
            Thread.sleep(1500); // the JVM installs its SIGQUIT handler early; give it the time to start
            Process sh = new ProcessBuilder("sh", "-c", HotSpotAttach.OPEN_SOCKET, "sh", Long.toString(jvm.pid())).start();
            assertThat(sh.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(sh.exitValue()).as(out).isZero();
            assertThat(out).isEqualTo("/proc/" + jvm.pid() + "/root/tmp/.java_pid" + jvm.pid());
            assertThat(Files.exists(Path.of(out))).isTrue();
            assertThat(tmp.resolve(".attach_pid" + jvm.pid())).doesNotExist();
            assertThat(jvm.isAlive()).as("SIGQUIT started the attach listener, it did not end the JVM").isTrue();
        } finally {
            jvm.destroyForcibly();
        }
    }

    @Test
    void theScriptSaysWhenThereIsNoSuchProcess() throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", HotSpotAttach.OPEN_SOCKET, "sh", "999999999").redirectErrorStream(true).start();
        assertThat(sh.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sh.exitValue()).isEqualTo(4);
        assertThat(new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("no process 999999999\n");
    }
}
