package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.nio.file.Path;

/**
 * CRIU (through runc) refused to dump or restore. Carries CRIU's own log, which the clone
 * manager reads for the cause and keeps for the user before the rollback removes the clone.
 */
final class CriuFailure extends ParikshanException {

    private final String action;
    private final Path criuLog;
    private final String runcSaid;

    CriuFailure(String action, Path criuLog, String runcSaid) {
        super("CRIU could not " + action + " the container (" + runcSaid + ")");
        this.action = action;
        this.criuLog = criuLog;
        this.runcSaid = runcSaid;
    }

    /** runc's own last words, when CRIU's log tells nothing better. */
    String runcSaid() {
        return runcSaid;
    }

    /** "dump" or "restore". */
    String action() {
        return action;
    }

    Path criuLog() {
        return criuLog;
    }
}
