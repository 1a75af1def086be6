package io.parikshan.clone;

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
        HostCommand.Result r = HostCommand.run(List.of("runc", "--root", runcRoot.toString(), "checkpoint",
                "--leave-running", "--image-path", images.toString(), "--work-path", work.toString(),
                containerId), Map.of(), Duration.ofMinutes(10));
        if (!r.ok()) {
            throw new ParikshanException("CRIU could not dump the container (" + r.reason()
                    + "); see " + work.resolve("dump.log"));
        }
    }
}
