package io.parikshan.clone;

import io.parikshan.clone.remote.Ssh;
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
 * @param with       the containers {@code source} depends on, cloned with it as one group at one
 *                   instant, in one sandbox, reached under production's names
 * @param egress     addresses outside the sandbox the group's clones may open connections to
 * @param testHost   the test host the clone runs on, or null for this host
 * @param twins      more clones made from the same checkpoint (one freeze, the images restored once
 *                   per twin), each with its own name, files, sandbox and address, where the clone runs
 *                   (here or on {@code testHost}); or, given an image, a fresh container of that image,
 *                   started with the clone's files, in the clone's sandbox. With {@code with}, each twin
 *                   is a copy of the whole group: the front's twin (restored or fresh) and its own
 *                   restored copies of the dependencies, in a sandbox of its own, so what one copy
 *                   writes never reaches another's dependencies
 */
public record CloneRequest(String source, String name, List<PortPublication> publish, List<String> with,
                           List<AllowedEgress> egress, Ssh testHost, List<Twin> twins) {

    /**
     * A twin of the clone.
     *
     * @param name  its name (a valid container name, none taken)
     * @param image null to restore it from the clone's checkpoint; else the image a fresh container is
     *              started from, with the clone's copied files and volumes, in the clone's sandbox
     */
    public record Twin(String name, String image) {
        public Twin {
            Objects.requireNonNull(name, "twin name was not specified");
            if (!CONTAINER_NAME.matcher(name).matches()) {
                throw new ParikshanException("twin name '" + name
                        + "' is not a valid container name; use letters, digits, '_', '.' and '-'");
            }
        }

        /** Whether the twin starts afresh from an image rather than from the checkpoint. */
        public boolean fresh() {
            return image != null;
        }
    }

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
        with = with == null ? List.of() : List.copyOf(with);
        egress = egress == null ? List.of() : List.copyOf(egress);
        twins = twins == null ? List.of() : List.copyOf(twins);
        if (!twins.isEmpty() && testHost != null && !with.isEmpty()) {
            throw new ParikshanException("twins from one checkpoint of a group are made on this host; "
                    + "clone the group here, or the front alone --on the test host");
        }
        for (String dep : with) {
            if (dep.isBlank()) {
                throw new ParikshanException("--with is empty; give the name or id of a container " + source + " depends on");
            }
        }
    }

    /** A clone without twins. */
    public CloneRequest(String source, String name, List<PortPublication> publish, List<String> with,
                        List<AllowedEgress> egress, Ssh testHost) {
        this(source, name, publish, with, egress, testHost, List.of());
    }

    /** A clone on this host. */
    public CloneRequest(String source, String name, List<PortPublication> publish, List<String> with,
                        List<AllowedEgress> egress) {
        this(source, name, publish, with, egress, null);
    }

    /** This request, the clone made on the test host {@code ssh} reaches. */
    public CloneRequest onTestHost(Ssh ssh) {
        return new CloneRequest(source, name, publish, with, egress, ssh, twins);
    }

    /** This request with {@code more} twins made from the same checkpoint (see {@link Twin}). */
    public CloneRequest withTwins(List<Twin> more) {
        return new CloneRequest(source, name, publish, with, egress, testHost, more);
    }

    /** A clone of {@code source} alone. */
    public CloneRequest(String source, String name, List<PortPublication> publish) {
        this(source, name, publish, List.of(), List.of());
    }

    public static CloneRequest of(String source) {
        return new CloneRequest(source, null, List.of());
    }
}
