package io.parikshan.agent;

import io.parikshan.probed.suites.GreetingSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent jar as a program: host-side input errors, and a JVM that exits despite the agent's threads. */
class ProbeHostMainIT {

    @TempDir
    Path tmp;

    @Test
    void badInputIsOneLineNamingTheValueWithExitStatusTwo() throws Exception {
        DockerProbeIT.Host badAction = DockerProbeIT.control("frob", "pid:1");
        assertThat(badAction.status()).isEqualTo(2);
        assertThat(badAction.err()).startsWith("parikshan probe: unknown action 'frob'").hasLineCount(1);

        DockerProbeIT.Host badPid = DockerProbeIT.control("list", "pid:999999999");
        assertThat(badPid.status()).isEqualTo(2);
        assertThat(badPid.err()).contains("no process with pid 999999999").hasLineCount(1);

        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            DockerProbeIT.Host notJava = DockerProbeIT.control("list", "pid:" + sleeper.pid());
            assertThat(notJava.status()).isEqualTo(2);
            assertThat(notJava.err()).contains("pid " + sleeper.pid() + " is not a Java VM");
        } finally {
            sleeper.destroy();
        }

        DockerProbeIT.Host notPid = DockerProbeIT.control("list", "pid:abc");
        assertThat(notPid.status()).isEqualTo(2);
        assertThat(notPid.err()).contains("'pid:abc' is not pid:<number>");

        DockerProbeIT.Host missingJar = DockerProbeIT.control("load", "pid:" + ProcessHandle.current().pid(),
                tmp.resolve("absent.jar").toString());
        assertThat(missingJar.status()).isEqualTo(2);
        assertThat(missingJar.err()).contains("suite jar " + tmp.resolve("absent.jar") + " does not exist");
        assertThat(tmp.resolve("absent.jar")).doesNotExist();

        DockerProbeIT.Host badName = DockerProbeIT.control("list", "no such/container");
        assertThat(badName.status()).isEqualTo(2);
        assertThat(badName.err()).contains("'no such/container' is not a container name or id");

        DockerProbeIT.Host usage = DockerProbeIT.control("list");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).contains("usage:");
    }

    @Test
    void aJvmWithTheAgentAndASuiteStillExitsWhenItsMainReturns() throws Exception {
        Path classes = TargetJvm.copyPackage("io/parikshan/probed/server", Files.createDirectory(tmp.resolve("server")));
        Path jar = TargetJvm.suiteJar(GreetingSuite.class, tmp.resolve("greeting.jar"));
        Path dir = tmp.resolve("results");
        Process p = new ProcessBuilder(TargetJvm.JAVA_17, "-javaagent:" + TargetJvm.AGENT_JAR + "=dir=" + dir
                + ",force,load=" + jar, "-cp", classes.toString(), "io.parikshan.probed.server.GreetOnce", "bob")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("JVM still running: agent threads must be daemons").isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("hello, bob");
        List<String> lines = Files.readAllLines(dir.resolve("results.jsonl"));
        assertThat(lines).anyMatch(l -> l.contains("\"outcome\":\"fail\"") && l.contains("never greets bob"));
    }
}
