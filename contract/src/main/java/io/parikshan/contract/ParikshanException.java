package io.parikshan.contract;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A failure the user can act on. The message is one line: what failed, the value involved,
 * and what to do. It may name a log (CRIU's, kept past the rollback) that tells more.
 */
public class ParikshanException extends RuntimeException {

    private final Path log;

    public ParikshanException(String message) {
        this(message, null, null);
    }

    public ParikshanException(String message, Throwable cause) {
        this(message, cause, null);
    }

    public ParikshanException(String message, Path log) {
        this(message, null, log);
    }

    public ParikshanException(String message, Throwable cause, Path log) {
        super(message, cause);
        this.log = log;
    }

    /** The log that tells more about this failure, if one was kept. */
    public Optional<Path> log() {
        return Optional.ofNullable(log);
    }
}
