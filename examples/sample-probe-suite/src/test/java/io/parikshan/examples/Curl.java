package io.parikshan.examples;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** curl, the real client the demo uses, against a loopback address; one request per call. */
final class Curl {

    record Reply(int status, String body) {
    }

    private final String base;

    Curl(String base) {
        this.base = base;
    }

    /** Skips without curl, except under CI=true where that is a failure. */
    static void require() throws InterruptedException {
        try {
            if (new ProcessBuilder("curl", "--version").start().waitFor() == 0) {
                return;
            }
        } catch (IOException ignored) {
            // Reported below.
        }
        String problem = "curl is missing (apt-get install curl; deploy/host/setup.sh installs it)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(problem + " (CI=true)");
        }
        Assumptions.abort(problem);
    }

    Reply get(String path) throws IOException, InterruptedException {
        return run(path);
    }

    Reply put(String path, String body) throws IOException, InterruptedException {
        return run(path, "-X", "PUT", "--data-binary", body);
    }

    private Reply run(String path, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(extra));
        cmd.add(base + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("curl " + String.join(" ", extra) + " " + base + path + " failed: " + out.strip());
        }
        int cut = out.lastIndexOf('\n');
        return new Reply(Integer.parseInt(out.substring(cut + 1).strip()), out.substring(0, cut));
    }
}
