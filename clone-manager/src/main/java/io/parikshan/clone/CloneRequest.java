package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to clone and how the clone is reached.
 *
 * @param source     production container, by name or id
 * @param name       the clone's container name, or null for {@code <source>-clone-<n>}
 * @param publish    ports to publish; empty means production's published ports, each on
 *                   127.0.0.1 with a free host port
 */
public record CloneRequest(String source, String name, List<PortPublication> publish) {

    private static final Pattern CONTAINER_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    public CloneRequest {
        Objects.requireNonNull(source, "source container was not specified");
        if (source.isBlank()) {
            throw new ParikshanException("the container to clone is empty; give a container name or id");
        }
        if (name != null && !CONTAINER_NAME.matcher(name).matches()) {
            throw new ParikshanException("clone name '" + name
                    + "' is not a valid container name; use letters, digits, '_', '.' and '-'");
        }
        publish = List.copyOf(publish);
    }

    public static CloneRequest of(String source) {
        return new CloneRequest(source, null, List.of());
    }
}
