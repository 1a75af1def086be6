package io.parikshan.clone;

/**
 * A failure the user can act on. The message is one line: what failed, the value involved,
 * and what to do.
 */
public class ParikshanException extends RuntimeException {
    public ParikshanException(String message) {
        super(message);
    }

    public ParikshanException(String message, Throwable cause) {
        super(message, cause);
    }
}
