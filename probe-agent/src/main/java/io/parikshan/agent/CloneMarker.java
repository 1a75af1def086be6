package io.parikshan.agent;

import io.parikshan.contract.Contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The file the clone manager writes into every clone ({@code /.parikshan-clone}, first line
 * {@code clone=<name>}); production never has it. Probe tests run only where it exists, unless forced.
 */
final class CloneMarker {

    static final Path PATH = Path.of(Contract.CLONE_MARKER);

    private static final String CLONE_LINE = Contract.MARKER_CLONE_KEY + "=";

    private CloneMarker() {
    }

    /** The clone's name from the marker, or empty when this process is not in a clone. */
    static Optional<String> cloneName() {
        if (!Files.isRegularFile(PATH)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(PATH)) {
                if (line.startsWith(CLONE_LINE)) {
                    return Optional.of(line.substring(CLONE_LINE.length()).strip());
                }
            }
            return Optional.of("(unnamed)");
        } catch (IOException e) {
            return Optional.of("(unreadable marker)");
        }
    }
}
