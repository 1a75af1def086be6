package io.parikshan.proxy.fidelity;

/**
 * One clone in one connection's comparison, whatever the protocol: its ledger and whether its
 * answers are still compared. Event-loop confined, like the connection.
 */
public final class ComparedClone {

    private final FidelityLedger ledger;
    private boolean ended;
    private boolean dropped;
    private boolean done;

    ComparedClone(FidelityLedger ledger) {
        this.ledger = ledger;
    }

    /** Still compared: neither given up nor judged to the end. */
    public boolean live() {
        return !dropped && !done;
    }

    /** True once the clone's answer stream ended (FIN or close). */
    public boolean ended() {
        return ended;
    }

    public void end() {
        ended = true;
    }

    /** Gives this clone up; {@code reason} null: silently (the clone was removed), not counted. */
    public void drop(DropReason reason) {
        dropped = true;
        if (reason != null) {
            ledger.dropped(reason);
        }
    }

    /** True if the clone was given up; a clone judged to the end still answered, e.g. for two-clone noise. */
    boolean dropped() {
        return dropped;
    }

    /** Nothing more of this clone's answers is compared. */
    void done() {
        done = true;
    }

    FidelityLedger ledger() {
        return ledger;
    }
}
