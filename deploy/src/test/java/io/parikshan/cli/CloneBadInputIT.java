package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad input to {@code parikshan clone}: one line naming the value and what to do, a
 * non-zero exit, no clone, network, volume or state left behind, production untouched.
 */
class CloneBadInputIT {

    static final String IMAGE = "parikshan-test/hostusr:2";
    static final Path JAR = Path.of(System.getProperty("basedir", "."), "target", "parikshan.jar").toAbsolutePath();
    static final String RUN = "pk-it-bad-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    static final String PROD = RUN + "-prod";
    static final List<String> made = new ArrayList<>();

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("a Docker engine and CRIU", List.of());
        sh("bash", repo().resolve("deploy/host/test-image.sh").toString());
        made.add(PROD);
        sh("docker", "run", "-d", "--name", PROD, "-v", "/usr:/usr:ro", IMAGE, "sleep", "3600");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        CliRun.of("destroy", RUN + "-clone");
        for (String c : made) {
            run("docker", "rm", "-f", c);
        }
    }

    @Test
    void unknownContainer() throws Exception {
        String name = RUN + "-nope";
        assertOneLineFailure(CliRun.of("clone", name, "--name", RUN + "-x"), name, "docker ps");
        assertNothingLeft(RUN + "-x");
    }

    @Test
    void stoppedContainer() throws Exception {
        String stopped = RUN + "-stopped";
        made.add(stopped);
        sh("docker", "create", "--name", stopped, "-v", "/usr:/usr:ro", IMAGE, "sleep", "3600");
        assertOneLineFailure(CliRun.of("clone", stopped, "--name", RUN + "-x"), stopped, "not running", "start it");
        assertNothingLeft(RUN + "-x");
    }

    @Test
    void cloneAsSource() throws Exception {
        String clone = RUN + "-clone";
        CliRun made = CliRun.of("clone", PROD, "--name", clone);
        assertThat(made.exitCode()).as(made.err()).isZero();
        assertOneLineFailure(CliRun.of("clone", clone, "--name", RUN + "-x"), clone, "itself a clone", "production");
        assertNothingLeft(RUN + "-x");
        assertThat(CliRun.of("destroy", clone).exitCode()).isZero();
        assertNothingLeft(clone);
        assertProductionUntouched();
    }

    @Test
    void nameTaken() throws Exception {
        String other = RUN + "-other";
        made.add(other);
        sh("docker", "create", "--name", other, "-v", "/usr:/usr:ro", IMAGE, "sleep", "1");
        assertOneLineFailure(CliRun.of("clone", PROD, "--name", other), other, "taken", "--name");
        assertThat(out("docker", "inspect", "-f", "{{.State.Status}}", other)).isEqualTo("created");
        assertProductionUntouched();
    }

    @Test
    void aGroupThatCannotBeMade() throws Exception {
        String x = RUN + "-x";
        String nope = RUN + "-nope";
        assertOneLineFailure(CliRun.of("clone", PROD, "--name", x, "--with", nope), "--with '" + nope + "'", "docker ps");
        assertOneLineFailure(CliRun.of("clone", PROD, "--name", x, "--with", PROD), "--with '" + PROD + "'", "itself");
        assertOneLineFailure(CliRun.of("clone", PROD, "--name", x, "--allow-egress", "db"), "'db' is not HOST:PORT");
        assertOneLineFailure(CliRun.of("clone", "--compose-project", RUN + "-shop", "--port", "web:80"),
                "compose project '" + RUN + "-shop' has no running containers");
        assertOneLineFailure(CliRun.of("clone", "--compose-project", RUN + "-shop"), "--port SERVICE:PORT");
        CliRun json = CliRun.of("clone", PROD, "--name", x, "--with", nope, "--json");
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).path("error").asText())
                .contains("--with '" + nope + "'");
        assertNothingLeft(x);
        assertNothingLeft(x + "." + PROD);
        assertProductionUntouched();
    }

    @Test
    void engineDown() throws Exception {
        String sock = "unix:///tmp/" + RUN + "-no-engine.sock";
        assertOneLineFailure(CliRun.of("clone", PROD, "--docker-host", sock), sock, "setup.sh");
    }

    @Test
    void malformedPublish() throws Exception {
        CliRun r = CliRun.of("clone", PROD, "--name", RUN + "-x", "--publish", "localhost:eighty");
        assertOneLineFailure(r, "localhost:eighty", "CONTAINER_PORT");
        assertNothingLeft(RUN + "-x");
    }

    @Test
    void portAlreadyInUseRollsBack() throws Exception {
        try (var busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.of("clone", PROD, "--name", RUN + "-x", "--publish", "127.0.0.1:" + busy.getLocalPort() + ":80");
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.errLines()).hasSize(1);
            assertNothingLeft(RUN + "-x");
            assertProductionUntouched();
        }
    }

    @Test
    void notRoot() throws Exception {
        CliRun r = subprocess(Map.of(), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        assertOneLineFailure(r, "uid 65534", "sudo");
        assertNothingLeft(RUN + "-x");
    }

    @Test
    void criuMissing() throws Exception {
        CliRun r = subprocess(Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        assertOneLineFailure(r, "criu", "not found", "setup.sh");
        assertNothingLeft(RUN + "-x");
    }

    @Test
    void criuTooOld() throws Exception {
        Path dir = Files.createTempDirectory(RUN);
        Path criu = dir.resolve("criu");
        // An old CRIU as Debian 12 ships it, for the version check only.
        Files.writeString(criu, "#!/bin/sh\necho 'Version: 3.17.1'\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            CliRun r = subprocess(Map.of("PATH", dir + ":" + System.getenv("PATH")));
            assertOneLineFailure(r, "3.17", "older than 4.2");
        } finally {
            Files.delete(criu);
            Files.delete(dir);
        }
        assertNothingLeft(RUN + "-x");
    }

    @Test
    void outOfDisk() throws Exception {
        Path tiny = Files.createTempDirectory(RUN + "-tiny");
        sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny.toString());
        try {
            CliRun r = CliRun.of("clone", PROD, "--name", RUN + "-x", "--state-dir", tiny.toString());
            assertOneLineFailure(r, tiny.toString(), "free");
            try (var files = Files.list(tiny)) {
                // the doctor's record of a passing 'criu check' is host state, not part of a clone
                assertThat(files.map(f -> f.getFileName().toString())).allMatch("criu-check-passed"::equals);
            }
        } finally {
            sh("umount", tiny.toString());
            Files.delete(tiny);
        }
        assertNothingLeft(RUN + "-x");
        assertProductionUntouched();
    }

    @Test
    void terminatedMidCloneThawsProductionAndLeavesNothing() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "clone", PROD, "--name", RUN + "-x").redirectErrorStream(true);
        Process p = pb.start();
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null && !line.contains("(frozen) ...")) {
            // wait until production is being frozen and dumped
        }
        assertThat(line).as("the clone reached its frozen window").isNotNull();
        p.destroy(); // SIGTERM, as a user's Ctrl-C or a service manager would
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertNothingLeft(RUN + "-x");
        assertProductionUntouched();
        String id = out("docker", "inspect", "-f", "{{.Id}}", PROD);
        Path freezer = Path.of("/sys/fs/cgroup/freezer/docker", id, "freezer.state");
        if (Files.exists(freezer)) {
            assertThat(Files.readString(freezer).strip()).isEqualTo("THAWED");
        }
    }

    @Test
    void sessionWithoutAPublishedPortOrListen() throws Exception {
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "8080"), PROD, "does not publish port 8080", "--listen");
        assertOneLineFailure(CliRun.of("clone", PROD, "--session"), PROD, "no TCP port", "--port");
        assertNothingLeft(PROD + "-clone-1");
        assertProductionUntouched();
    }

    @Test
    void sessionWithBadSettings() throws Exception {
        Path missing = Path.of("/nonexistent/suite.jar");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "8080", "--listen", "127.0.0.1:0", "--tests", missing.toString()),
                missing.toString(), "does not exist");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "8080", "--listen", "127.0.0.1:0", "--resync-every", "5s"),
                "--resync-every", "10s");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "http", "--listen", "127.0.0.1:0"), "--port 'http'");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "8080/", "--listen", "127.0.0.1:0"), "--port '8080/'");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "8080", "--listen", "127.0.0.1:0", "--drain", "ten"),
                "--drain 'ten'", "30s");
        assertOneLineFailure(CliRun.of("clone", PROD, "--clones", "9", "--port", "8080", "--listen", "127.0.0.1:0"), "--clones 9");
        assertOneLineFailure(CliRun.of("clone", PROD, "--compare", "bytes", "--port", "8080", "--listen", "127.0.0.1:0"), "bytes");
        assertOneLineFailure(CliRun.of("clone", PROD, "--compare", "auto", "--noise-clones", "--port", "8080", "--listen", "127.0.0.1:0"),
                "--noise-clones", "--clones 2");
        assertOneLineFailure(CliRun.of("clone", PROD, "--resync-on-divergence", "0.1", "--port", "8080", "--listen", "127.0.0.1:0"),
                "--compare");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "53/sctp", "--listen", "127.0.0.1:0"), "--port '53/sctp'", "53/udp");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "53/udp", "--compare", "auto", "--listen", "127.0.0.1:0"),
                "--compare auto", "TCP only");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "53/udp", "--strategy", "sync", "--listen", "127.0.0.1:0"),
                "--strategy sync", "UDP");
        assertOneLineFailure(CliRun.of("clone", PROD, "--port", "8080/udp"), PROD, "does not publish port 8080", "--listen");
        Path config = Files.createTempFile("pk-session", ".properties");
        try {
            Files.writeString(config, "port=8080\nlisten=127.0.0.1:0\nclone=2\n");
            assertOneLineFailure(CliRun.of("clone", PROD, "--config", config.toString()), "unknown key 'clone'", "clones");
        } finally {
            Files.delete(config);
        }
        assertNothingLeft(PROD + "-clone-1");
        assertProductionUntouched();
    }

    @Test
    void sessionWhoseAddressesAreTakenLeavesNoClone() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + taken.getLocalPort();
            // the metrics endpoint is bound before production is frozen for a clone
            assertOneLineFailure(CliRun.of("clone", PROD, "--port", "8080", "--listen", "127.0.0.1:0", "--metrics", at),
                    "cannot serve metrics on " + at, "--metrics");
            assertNothingLeft(PROD + "-clone-1");
            // the proxy's address is bound after the clone is made: the clone is rolled back
            assertOneLineFailure(CliRun.of("clone", PROD, "--port", "8080", "--listen", at, "--metrics", "127.0.0.1:0"),
                    "cannot listen on " + at);
            assertNothingLeft(PROD + "-clone-1");
            assertThat(Clones.of(PROD)).isEmpty();
        }
        assertProductionUntouched();
    }

    @Test
    void statusAndSyncWithoutASession() {
        assertOneLineFailure(CliRun.of("status", RUN + "-none"), "no session running for '" + RUN + "-none'", "parikshan clone");
        assertOneLineFailure(CliRun.of("sync", RUN + "-none"), "no session running for '" + RUN + "-none'");
    }

    private static CliRun subprocess(Map<String, String> env, String... prefix) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(prefix));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "clone", PROD, "--name", RUN + "-x"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new CliRun(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static void assertOneLineFailure(CliRun r, String... mentions) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isNotZero();
        assertThat(r.errLines()).as("stderr").hasSize(1);
        assertThat(r.errLines().get(0)).contains(mentions);
    }

    private static void assertNothingLeft(String clone) throws Exception {
        assertThat(Clones.exists(clone)).as("clone " + clone).isFalse();
        assertThat(Path.of("/run/parikshan/images", clone)).as("checkpoint images").doesNotExist();
        assertThat(run("docker", "network", "inspect", "parikshan-sbx-" + clone)).isNotZero();
        assertThat(out("docker", "volume", "ls", "-q", "--filter", "label=io.parikshan.clone=" + clone)).isEmpty();
        assertThat(Path.of("/var/lib/parikshan/clones", clone)).doesNotExist();
        assertThat(out("iptables", "-w", "-S")).doesNotContain("parikshan:" + clone + "\"");
        assertThat(out("iptables", "-w", "-t", "nat", "-S")).doesNotContain("parikshan:" + clone + "\"");
    }

    private static void assertProductionUntouched() throws Exception {
        assertThat(out("docker", "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", PROD)).isEqualTo("running false");
    }

    static Path repo() {
        Path p = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        while (!Files.exists(p.resolve("deploy/host/setup.sh"))) {
            p = p.getParent();
        }
        return p;
    }

    static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    static String out(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return s;
    }

    static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + s);
        }
    }
}
