package io.parikshan.cli;

import static org.junit.jupiter.api.Assertions.fail;

import io.parikshan.clone.Doctor;
import io.parikshan.clone.DockerEngine;
import io.parikshan.clone.HostCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** The integration tests' gate: a host that can clone, else a skip with the reason (a failure under CI=true). */
final class HostReady {

    private HostReady() {
    }

    /** Requires the engine and CRIU, and whatever {@code more} says is missing besides (one line each). */
    static void require(String needs, List<String> more) {
        List<String> problems = new ArrayList<>(more);
        try (DockerEngine engine = DockerEngine.connect(null)) {
            new Doctor(engine, Path.of("/var/lib/parikshan")).checks().stream()
                    .filter(c -> !c.ok()).map(HostCheck::problem).forEach(problems::add);
        }
        if (!problems.isEmpty()) {
            String why = "needs " + needs + " (deploy/host/setup.sh): " + problems;
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the host is not ready: " + why);
            }
            Assumptions.abort(why);
        }
    }
}
