package io.parikshan.clone;

/** The phases of a live clone, in order; their timings make the report's table. */
public enum ClonePhase {
    SAFETY_CHECKS("safety checks"),
    /** Sandbox network and firewall, the image store, the clone's bundle and its copies of production's mounts. */
    PREPARE("prepare clone"),
    PRE_COPY("pre-copy"),
    /**
     * The file delta; it runs inside DUMP, alongside CRIU, while production is frozen (from when
     * runc and CRIU are ready to seize it to the end of DUMP).
     */
    DELTA_COPY("delta copy (frozen)"),
    DUMP("dump (frozen)"),
    /**
     * The paper's image copy: on one host the images stay where CRIU wrote them (memory), so this
     * is the clone's marker and its root file system's mount.
     */
    IMAGE_COPY("image copy"),
    RESTORE("restore");

    private final String label;

    ClonePhase(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
