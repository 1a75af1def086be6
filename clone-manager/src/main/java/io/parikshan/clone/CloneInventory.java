package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The clones on this host, read from their records ({@link CloneRecord}). */
public final class CloneInventory {

    /** One clone as {@code parikshan list} shows it. */
    public record CloneInfo(String name, String production, long ageSeconds, String status, List<String> addresses,
                            String testHost) {
    }

    private final Path stateRoot;

    public CloneInventory(Path stateRoot) {
        this.stateRoot = stateRoot;
    }

    /** The clones on this host: their records, with runc's word on whether each still runs. */
    public List<CloneInfo> clones() {
        List<CloneInfo> out = new ArrayList<>();
        long now = Instant.now().getEpochSecond();
        Path dir = stateRoot.resolve("clones");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) {
                    CloneNames names = new CloneNames(p.getFileName().toString(), stateRoot);
                    Optional<CloneRecord> r = CloneRecord.read(names);
                    if (r.isEmpty()) {
                        continue; // being made, or half-removed: destroy --all finds it
                    }
                    CloneRuntime where = CloneRuntime.of(names.cloneName(), stateRoot);
                    String status = where.state(names.cloneName()).map(CloneRuntime.State::status).orElse("gone");
                    out.add(new CloneInfo(names.cloneName(), r.get().production(),
                            Math.max(0, now - r.get().createdEpochSeconds()), status, r.get().addresses(),
                            where.testHost().orElse(null)));
                }
            } catch (IOException e) {
                throw new ParikshanException("cannot list " + dir + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparing(CloneInfo::name));
        return out;
    }
}
