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
 */
public record CloneRecord(String name, String production, String productionId, long createdEpochSeconds,
                          String ip, String network, List<String> addresses) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public CloneRecord {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
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
