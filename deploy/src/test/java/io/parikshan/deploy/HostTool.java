package io.parikshan.deploy;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a host program for a test; what the host lacks skips the test, except under CI=true where it fails. */
final class HostTool {

    /** deploy/ (Failsafe and Surefire run in the module directory). */
    static final Path DEPLOY = Path.of(System.getProperty("parikshan.deploy.dir", "")).toAbsolutePath();

    record Result(int status, String output) {
    }

    private HostTool() {
    }

    static Result run(List<String> cmd, Path dir, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within " + seconds + " s");
        }
        return new Result(p.exitValue(), out.join().strip());
    }

    /** Skips (fails under CI=true) unless {@code program} is on the PATH. */
    static void require(String program, String installHint) throws InterruptedException {
        try {
            if (run(List.of("sh", "-c", "command -v " + program), DEPLOY, 10).status() == 0) {
                return;
            }
        } catch (IOException ignored) {
            // Reported below.
        }
        skipOrFail(program + " is not installed (" + installHint + ")");
    }

    static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    static void skipOrFail(String problem) {
        if (ci()) {
            Assertions.fail(problem + " (CI=true: required)");
        }
        Assumptions.abort(problem);
    }
}
