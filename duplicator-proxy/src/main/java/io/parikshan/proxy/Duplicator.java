package io.parikshan.proxy;

import io.parikshan.proxy.fidelity.FidelitySnapshot;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A running duplicator (TCP or UDP) whose clones can change while it runs. */
public interface Duplicator extends AutoCloseable {

    /** The bound client-facing address (useful with port 0). */
    InetSocketAddress localAddress();

    /** Starts feeding a clone; it sees connections (or sessions) opened from now on. */
    void addClone(CloneTarget clone);

    /** Stops feeding a clone and closes its side of every connection; false if unknown. */
    boolean removeClone(String name);

    /** Swaps a clone for a fresh one (re-sync) in one step. */
    void replaceClone(String oldName, CloneTarget replacement);

    /**
     * Starts holding, for the clone {@code name} that is being made, the client connections (or
     * datagram sessions) opened from now on (see {@link HeldClone}); called the moment production
     * is frozen for its checkpoint.
     */
    HeldClone hold(String name);

    /** The clones fed right now. */
    List<CloneTarget> clones();

    /**
     * Makes the fed clones equal to {@code wanted}: adds the new ones, removes the missing ones,
     * replaces those whose address changed. Used when a config file is edited.
     */
    default void setClones(List<CloneTarget> wanted) {
        List<CloneTarget> now = clones();
        for (CloneTarget c : now) {
            if (wanted.stream().noneMatch(w -> w.name().equals(c.name()))) {
                removeClone(c.name());
            }
        }
        for (CloneTarget w : wanted) {
            CloneTarget current = now.stream().filter(c -> c.name().equals(w.name())).findFirst().orElse(null);
            if (current == null) {
                addClone(w);
            } else if (!current.equals(w)) {
                replaceClone(w.name(), w);
            }
        }
    }

    /**
     * How faithfully each clone follows production: counts, divergence ratio and the first
     * divergent exchanges. Immutable; thread-safe and cheap enough to call every second.
     */
    default FidelitySnapshot fidelity() {
        return FidelitySnapshot.off();
    }

    /** Client connections (TCP) or sessions (UDP) open through the proxy right now. */
    long activeConnections();

    /**
     * The numbers of the clone {@code name} (fed now, held for, or fed before under that name);
     * empty for a name this duplicator never fed nor held for.
     */
    Optional<CloneStats> cloneStats(String name);

    /**
     * Stops listening and feeding clones, lets what clients have under way finish with production
     * for up to {@code drain}, then closes. The default closes at once: datagrams have nothing to drain.
     *
     * @return true if nothing was cut off
     */
    default boolean closeGracefully(Duration drain) {
        close();
        return true;
    }

    @Override
    void close();
}
