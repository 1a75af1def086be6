package io.parikshan.proxy;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A clone the duplicator feeds: a short name (the {@code clone} label of every metric) and the
 * address of the cloned service.
 */
public record CloneTarget(String name, HostPort address) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    public CloneTarget {
        Objects.requireNonNull(name, "clone name");
        Objects.requireNonNull(address, "clone address");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("clone name '" + name + "' must be 1-63 letters, digits, '.', '_' or '-'");
        }
    }

    /** Parses {@code host:port} or {@code name=host:port}; unnamed clones are named after their address. */
    public static CloneTarget parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing clone address; write HOST:PORT or NAME=HOST:PORT");
        }
        int eq = text.indexOf('=');
        if (eq < 0) {
            HostPort address = HostPort.parse(text);
            return new CloneTarget(defaultName(address), address);
        }
        return new CloneTarget(text.substring(0, eq).strip(), HostPort.parse(text.substring(eq + 1)));
    }

    private static String defaultName(HostPort address) {
        return (address.host() + "_" + address.port()).replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    @Override
    public String toString() {
        return name + "=" + address;
    }
}
