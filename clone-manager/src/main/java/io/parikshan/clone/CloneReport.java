package io.parikshan.clone;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a clone, with the figures of the paper's Table 1.
 *
 * @param phaseMillis     wall time of each phase, in order
 * @param frozenMillis    how long production's processes were frozen (delta copy + dump + thaw)
 * @param totalMillis     from the request to the clone running
 * @param imageBytes      size of the CRIU checkpoint images
 * @param preCopiedBytes  bytes of files copied while production ran
 * @param addresses       the clone's published ports, as host:port -> container port
 * @param warnings        what of production's state the clone lacks, one line each
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
        List<String> warnings) {

    public CloneReport {
        addresses = List.copyOf(addresses);
        warnings = List.copyOf(warnings);
        phaseMillis = Map.copyOf(phaseMillis);
    }

    public long millis(ClonePhase phase) {
        return phaseMillis.getOrDefault(phase, 0L);
    }
}
