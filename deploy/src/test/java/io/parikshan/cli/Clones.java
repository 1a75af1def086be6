package io.parikshan.cli;

import io.parikshan.clone.CloneInventory;
import io.parikshan.clone.CloneRuntime;
import java.nio.file.Path;
import java.util.List;

/** What the tests ask of clones, which run under Parikshan's own runc rather than the engine. */
final class Clones {

    static final Path STATE_ROOT = Path.of("/var/lib/parikshan");

    private Clones() {
    }

    /** The clones of production container {@code prod}, by name. */
    static List<String> of(String prod) {
        return new CloneInventory(STATE_ROOT).clones().stream().filter(c -> c.production().equals(prod))
                .map(CloneInventory.CloneInfo::name).toList();
    }

    static boolean running(String clone) {
        return CloneRuntime.of(clone, STATE_ROOT).state(clone).map(CloneRuntime.State::running).orElse(false);
    }

    static boolean exists(String clone) {
        return CloneRuntime.of(clone, STATE_ROOT).state(clone).isPresent();
    }

    /** Kills the clone's processes, as a crash would (on its test host when it runs on one). */
    static void kill(String clone) throws Exception {
        CloneBadInputIT.sh(CloneRuntime.of(clone, STATE_ROOT).remoteCommand(
                List.of("runc", "--root", CloneRuntime.ROOT.toString(), "kill", "--all", clone, "KILL")).toArray(String[]::new));
    }
}
