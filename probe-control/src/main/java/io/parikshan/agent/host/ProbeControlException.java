package io.parikshan.agent.host;

/** A control action failed; the message is one line saying what and what to do. */
public final class ProbeControlException extends Exception {

    public ProbeControlException(String message) {
        super(message);
    }

    public ProbeControlException(String message, Throwable cause) {
        super(message, cause);
    }
}
