package io.parikshan.proxy;

/**
 * A clone being made, from the proxy's side: from {@link Duplicator#hold} on, client connections
 * keep their bytes for it (within the budgets, never slowing production) until it runs. A clone
 * restored from a checkpoint taken at that moment thus also gets every connection opened after
 * the checkpoint, and starts in step with production instead of missing what came during its
 * restore.
 */
public interface HeldClone {

    /**
     * The clone runs: the held connections connect to it and send what they held, and it is fed
     * like any other from now on. {@code replacing}, if not null, is removed in the same call (re-sync).
     */
    void start(CloneTarget running, String replacing);

    /** The clone will not come: held bytes are dropped, and not counted as desynced. Idempotent. */
    void cancel();
}
