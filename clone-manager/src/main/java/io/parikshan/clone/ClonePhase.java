package io.parikshan.clone;

/** The phases of a live clone, in order; their timings make the report's table. */
public enum ClonePhase {
    SAFETY_CHECKS("safety checks"),
    /** Sandbox network and firewall, the stopped clone container, its own volumes. */
    PREPARE("prepare clone"),
    PRE_COPY("pre-copy"),
    /**
     * The file delta; it runs inside DUMP, alongside CRIU, while production is frozen (from when
     * runc and CRIU are ready to seize it to the end of DUMP).
     */
    DELTA_COPY("delta copy (frozen)"),
    DUMP("dump (frozen)"),
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
