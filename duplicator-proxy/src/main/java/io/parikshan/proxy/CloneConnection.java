package io.parikshan.proxy;

/**
 * One client connection's feed to one clone, as its {@link CloneRoute} sees it: enough to read
 * the lag at scrape time and to retire the feed when the clone is removed.
 * Implementations are confined to one event loop except where noted.
 */
public interface CloneConnection {

    /** Nanos (System.nanoTime) when the oldest byte not yet written to the clone arrived, or 0. Any thread. */
    long oldestPendingNanos();

    /** Closes the clone side of this connection because its clone left the proxy. Any thread. */
    void retire();
}
