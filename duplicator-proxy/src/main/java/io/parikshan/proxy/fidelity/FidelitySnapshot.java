package io.parikshan.proxy.fidelity;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The fidelity of every clone a duplicator feeds, at one moment. Immutable.
 *
 * @param at     when it was taken
 * @param mode   the compare mode ({@code off}: nothing is compared and {@code clones} is empty)
 * @param clones one entry per clone fed right now
 */
public record FidelitySnapshot(Instant at, CompareMode mode, List<CloneFidelity> clones) {

    public FidelitySnapshot {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(mode, "mode");
        clones = List.copyOf(clones);
    }

    /** Nothing compared (comparison off, or a UDP duplicator). */
    public static FidelitySnapshot off() {
        return new FidelitySnapshot(Instant.now(), CompareMode.OFF, List.of());
    }

    public Optional<CloneFidelity> clone(String name) {
        return clones.stream().filter(c -> c.cloneName().equals(name)).findFirst();
    }
}
