package io.parikshan.agent;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The docker CLI for integration tests; a missing engine skips the test, except under CI=true where it fails. */
final class Docker {

    static final String IMAGE = "parikshan-test/hostusr:2";

    private Docker() {
    }

    record Result(int status, String output) {
    }

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("docker " + String.join(" ", args) + " did not finish within 120 s");
        }
        return new Result(p.exitValue(), out.strip());
    }

    static String ok(String... args) throws IOException, InterruptedException {
        Result r = run(args);
        if (r.status() != 0) {
            throw new IOException("docker " + String.join(" ", args) + " failed: " + r.output());
        }
        return r.output();
    }

    /** Skips (or under CI fails) unless a Docker engine answers and the test image exists or can be built. */
    static void require() throws InterruptedException {
        String problem = null;
        try {
            Result info = run("info", "--format", "{{.ServerVersion}}");
            if (info.status() != 0) {
                problem = "Docker engine unreachable: " + info.output();
            } else if (run("image", "inspect", IMAGE).status() != 0) {
                Path script = Path.of(System.getProperty("parikshan.test.classes", "target/test-classes"))
                        .resolve("../../../deploy/host/test-image.sh").normalize();
                if (Files.isRegularFile(script)) {
                    new ProcessBuilder("bash", script.toString(), IMAGE).inheritIO().start().waitFor(120, TimeUnit.SECONDS);
                }
                if (run("image", "inspect", IMAGE).status() != 0) {
                    problem = "image " + IMAGE + " is missing and " + script + " did not build it";
                }
            }
        } catch (IOException e) {
            problem = "docker CLI unavailable: " + e.getMessage();
        }
        if (problem != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(problem + " (CI=true: Docker is required)");
            }
            Assumptions.abort(problem + " (set up Docker with deploy/host/setup.sh)");
        }
    }
}
