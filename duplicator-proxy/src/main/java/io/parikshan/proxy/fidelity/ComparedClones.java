package io.parikshan.proxy.fidelity;

import java.util.List;

/** The clones of one connection's comparison, in the order of the ledgers they were made from. */
public final class ComparedClones {

    private final ComparedClone[] clones;
    private final boolean twoCloneNoise;
    private final CandidateTrial trial;

    public ComparedClones(List<FidelityLedger> ledgers, boolean twoCloneNoise) {
        this(ledgers, twoCloneNoise, null);
    }

    /** @param trial the patch on trial whose control and candidate may be among these clones, or null */
    public ComparedClones(List<FidelityLedger> ledgers, boolean twoCloneNoise, CandidateTrial trial) {
        this.trial = trial;
        this.clones = new ComparedClone[ledgers.size()];
        for (int i = 0; i < clones.length; i++) {
            clones[i] = new ComparedClone(ledgers.get(i));
        }
        this.twoCloneNoise = twoCloneNoise;
    }

    /** The patch on trial, or null. */
    CandidateTrial trial() {
        return trial;
    }

    public int size() {
        return clones.length;
    }

    public ComparedClone get(int i) {
        return clones[i];
    }

    public boolean anyLive() {
        for (ComparedClone c : clones) {
            if (c.live()) {
                return true;
            }
        }
        return false;
    }

    /** Gives up comparing: every clone still compared counts one dropped comparison. */
    public void giveUp(DropReason reason) {
        for (ComparedClone c : clones) {
            if (c.live()) {
                c.drop(reason);
            }
        }
    }

    /** Nothing more is compared on the connection. */
    public void allDone() {
        for (ComparedClone c : clones) {
            c.done();
        }
    }

    /** True if the clones' disagreement measures noise: asked for, and at least two clones still answer. */
    boolean clonesAsNoise() {
        if (!twoCloneNoise) {
            return false;
        }
        int answering = 0;
        for (ComparedClone c : clones) {
            if (!c.dropped()) {
                answering++;
            }
        }
        return answering >= 2;
    }
}
