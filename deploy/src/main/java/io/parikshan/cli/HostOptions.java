package io.parikshan.cli;

import io.parikshan.clone.CloneManager;
import io.parikshan.clone.DockerEngine;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Docker engine and Parikshan's state live; shared by the clone commands. */
final class HostOptions {

    @Option(names = "--docker-host", paramLabel = "URL",
            description = "Docker engine address (default: $DOCKER_HOST or unix:///var/run/docker.sock).")
    String dockerHost;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where checkpoint images, bind-mount copies and CRIU logs go (default: ${DEFAULT-VALUE}).",
            defaultValue = "/var/lib/parikshan")
    Path stateDir = CloneManager.DEFAULT_STATE_ROOT;

    DockerEngine engine() {
        return DockerEngine.connect(dockerHost);
    }

    Path stateRoot() {
        return stateDir.toAbsolutePath();
    }
}
