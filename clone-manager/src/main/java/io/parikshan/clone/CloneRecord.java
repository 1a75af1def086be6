package io.parikshan.clone;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a clone is, kept in its state directory ({@code clone.json}): the engine does not know
 * clones (they run under Parikshan's own runc), so list, status and destroy read this.
 *
 * @param createdEpochSeconds when the clone was made
 * @param addresses           published ports, as {@code host:port -> port/proto}
 * @param group               for a dependency cloned with another container, the name of that
 *                            container's clone, which owns the group's sandbox; null otherwise
 * @param members             for the clone that owns a group, its dependencies' clones
 * @param egress              addresses outside the sandbox the group may reach, as {@code ip:port}
 * @param testHost            the test host the clone runs on ({@code user@host[:port]}), null for this host
 */
public record CloneRecord(String name, String production, String productionId, long createdEpochSeconds,
                          String ip, String network, List<String> addresses, String group, List<String> members,
                          List<String> egress, String testHost) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public CloneRecord {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
        members = members == null ? List.of() : List.copyOf(members);
        egress = egress == null ? List.of() : List.copyOf(egress);
    }

    /** A clone on this host. */
    public CloneRecord(String name, String production, String productionId, long createdEpochSeconds,
                       String ip, String network, List<String> addresses, String group, List<String> members,
                       List<String> egress) {
        this(name, production, productionId, createdEpochSeconds, ip, network, addresses, group, members, egress, null);
    }

    /** A clone made alone. */
    public CloneRecord(String name, String production, String productionId, long createdEpochSeconds,
                       String ip, String network, List<String> addresses) {
        this(name, production, productionId, createdEpochSeconds, ip, network, addresses, null, List.of(), List.of());
    }

    void write(CloneNames names) {
        try {
            JSON.writeValue(names.recordFile().toFile(), this);
        } catch (IOException e) {
            throw new ParikshanException("cannot write " + names.recordFile() + ": " + e.getMessage());
        }
    }

    /** The record of clone {@code names}, empty when there is none (or it is unreadable). */
    public static Optional<CloneRecord> read(CloneNames names) {
        Path file = names.recordFile();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), CloneRecord.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
