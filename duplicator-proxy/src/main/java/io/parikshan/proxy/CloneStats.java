package io.parikshan.proxy;

/**
 * What a duplicator knows of one clone right now, for a caller that needs the numbers (a session's
 * status and re-sync checks) rather than the metric series they are also exported as.
 *
 * @param activeConnections   clone connections (TCP) or sessions (UDP) open now
 * @param lagBytes            client bytes held for the clone and not yet written to it
 * @param lagSeconds          age of the oldest such byte (0 when none waits)
 * @param desyncedConnections clone connections closed early since the name was first fed or held
 * @param sentBytes           client bytes written to the clone
 * @param droppedBytes        client bytes the clone never got because its connection was dropped
 */
public record CloneStats(String cloneName, long activeConnections, long lagBytes, double lagSeconds,
                         long desyncedConnections, long sentBytes, long droppedBytes) {

    /** A clone the duplicator has never fed nor held for: all zero. */
    public static CloneStats none(String cloneName) {
        return new CloneStats(cloneName, 0, 0, 0.0, 0, 0, 0);
    }
}
