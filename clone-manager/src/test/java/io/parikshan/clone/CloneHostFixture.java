package io.parikshan.clone;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the live-clone integration tests: a ready host before each test, and afterwards
 * every clone, container and volume the test registered removed, even when it failed.
 */
abstract class CloneHostFixture {

    protected DockerEngine engine;
    protected final List<String> containers = new ArrayList<>();
    protected final List<String> clones = new ArrayList<>();
    protected final List<String> volumes = new ArrayList<>();

    @BeforeEach
    void readyHost() {
        engine = DockerTestHost.requireCloneHost();
    }

    @AfterEach
    void removeWhatTheTestMade() {
        if (engine == null) {
            return; // the host was not ready: the test made nothing
        }
        try {
            CloneTeardown teardown = new CloneTeardown(engine, DockerTestHost.STATE_ROOT);
            clones.forEach(teardown::destroy);
        } finally {
            DockerTestHost.removeContainers(containers);
            volumes.forEach(v -> DockerTestHost.dockerRun("volume", "rm", "-f", v));
            engine.close();
        }
    }

    protected CloneManager cloneManager() {
        return new CloneManager(engine, DockerTestHost.STATE_ROOT);
    }
}
