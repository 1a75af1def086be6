package io.parikshan.clone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Dumps a running container's processes with CRIU through runc, leaving them running.
 * Docker's checkpoint API adds a second or so of engine overhead (host facts); calling runc
 * on the engine's own state directory keeps the frozen window spent on memory.
 */
final class CheckpointDumper {

    /**
     * CRIU options for this dump, on top of /etc/criu/runc.conf. {@code skip-in-flight}: while
     * production is frozen its clients' new connections wait, accepted by the kernel but not yet
     * by the process, and CRIU refuses to dump those; skipped, production accepts them when it
     * thaws and the clone never sees them. {@code network-lock skip}: CRIU's default lock
     * (iptables rules put into production's network namespace and taken out again, six
     * iptables-restore runs, about 60 ms of the frozen window) keeps TCP state still for a
     * restore of live connections; with {@code tcp-close} the clone gets none, and unlocked,
     * production's kernel keeps acknowledging its clients' packets during the dump instead of
     * dropping them into retransmits.
     */
    static final List<String> CRIU_OPTIONS = List.of("tcp-close", "skip-in-flight", "network-lock skip");

    /** Where Docker's containerd shim keeps runc state for the "moby" namespace. */
    static final Path DEFAULT_RUNC_ROOT = Path.of("/run/docker/runtime-runc/moby");

    private final Path runcRoot;

    CheckpointDumper(Path runcRoot) {
        this.runcRoot = runcRoot;
    }

    /**
     * Dumps {@code containerId} into {@code images}; CRIU's log goes to {@code work}.
     * /etc/criu/runc.conf's {@code tcp-close} leaves production's connections untouched.
     */
    void dump(String containerId, Path images, Path work) {
        Path options = work.resolve("criu.conf");
        try {
            Files.write(options, CRIU_OPTIONS);
        } catch (IOException e) {
            throw new ParikshanException("cannot write CRIU options to " + options + ": " + e.getMessage());
        }
        HostCommand.Result r = HostCommand.run(List.of("runc", "--root", runcRoot.toString(), "checkpoint",
                "--leave-running", "--image-path", images.toString(), "--work-path", work.toString(),
                containerId), Map.of("CRIU_CONFIG_FILE", options.toString()), Duration.ofMinutes(10));
        if (!r.ok()) {
            throw new ParikshanException("CRIU could not dump the container (" + r.reason()
                    + "); see " + work.resolve("dump.log"));
        }
    }
}
