package io.parikshan.clone;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a clone, with the figures of the paper's Table 1.
 *
 * @param phaseMillis     wall time of each phase, in order
 * @param frozenMillis    how long production's processes were frozen (delta copy + dump + thaw); for
 *                        a group, from the first member's freeze to the thaw of all
 * @param totalMillis     from the request to the clone running
 * @param imageBytes      size of the CRIU checkpoint images
 * @param preCopiedBytes  bytes of files copied while production ran
 * @param addresses       the clone's published ports, as host:port -> container port
 * @param warnings        what of production's state the clone lacks, one line each
 * @param members         every clone of the group, this one first (just this one for a clone made alone)
 * @param egress          addresses outside the sandbox the group may open connections to
 * @param testHost        the test host the clone runs on, null for this host
 * @param sentBytes       bytes sent to the test host (files, image layers it lacked, checkpoint images)
 */
public record CloneReport(
        String cloneName,
        String cloneId,
        String production,
        String sandboxNetwork,
        String cloneIp,
        List<String> addresses,
        Map<ClonePhase, Long> phaseMillis,
        long frozenMillis,
        long totalMillis,
        long imageBytes,
        long preCopiedBytes,
        List<String> warnings,
        List<Member> members,
        List<AllowedEgress> egress,
        String testHost,
        long sentBytes) {

    /**
     * One clone of a group.
     *
     * @param productionAddresses production's addresses on its networks, which the clone holds too
     *                            (inside the sandbox only), so peers reach it at the address they resolved
     * @param frozenMillis        how long this member's production was frozen
     */
    public record Member(String cloneName, String production, String cloneIp, List<String> productionAddresses,
                         long frozenMillis) {
        public Member {
            productionAddresses = List.copyOf(productionAddresses);
        }
    }

    public CloneReport {
        addresses = List.copyOf(addresses);
        warnings = List.copyOf(warnings);
        phaseMillis = Map.copyOf(phaseMillis);
        members = List.copyOf(members);
        egress = List.copyOf(egress);
    }

    /** The report of a clone on this host. */
    public CloneReport(String cloneName, String cloneId, String production, String sandboxNetwork, String cloneIp,
                       List<String> addresses, Map<ClonePhase, Long> phaseMillis, long frozenMillis, long totalMillis,
                       long imageBytes, long preCopiedBytes, List<String> warnings, List<Member> members,
                       List<AllowedEgress> egress) {
        this(cloneName, cloneId, production, sandboxNetwork, cloneIp, addresses, phaseMillis, frozenMillis, totalMillis,
                imageBytes, preCopiedBytes, warnings, members, egress, null, 0);
    }

    /** The report of a clone made alone. */
    public CloneReport(String cloneName, String cloneId, String production, String sandboxNetwork, String cloneIp,
                       List<String> addresses, Map<ClonePhase, Long> phaseMillis, long frozenMillis, long totalMillis,
                       long imageBytes, long preCopiedBytes, List<String> warnings) {
        this(cloneName, cloneId, production, sandboxNetwork, cloneIp, addresses, phaseMillis, frozenMillis, totalMillis,
                imageBytes, preCopiedBytes, warnings, List.of(new Member(cloneName, production, cloneIp, List.of(), frozenMillis)),
                List.of());
    }

    /** The dependencies' clones (the group without this clone). */
    public List<Member> dependencies() {
        return members.isEmpty() ? List.of() : members.subList(1, members.size());
    }

    public long millis(ClonePhase phase) {
        return phaseMillis.getOrDefault(phase, 0L);
    }
}
