package io.parikshan.proxy.fidelity;

import java.util.Locale;

/** How the proxy compares a clone's answers with production's. */
public enum CompareMode {
    /** No comparison: clone answers are read and thrown away (the duplicator's original behaviour, and the default). */
    OFF,
    /** Byte level: per connection, length and hash of each direction and the offset of the first differing answer byte. */
    TCP,
    /** Request by request for HTTP/1.1: status, headers and body of each answer, after the noise rules. */
    HTTP,
    /** HTTP when a connection's first line is an HTTP/1.x request line, TCP otherwise. */
    AUTO;

    /** Parses {@code off|tcp|http|auto} (any case). */
    public static CompareMode parse(String text) {
        if (text != null) {
            String t = text.strip().toUpperCase(Locale.ROOT);
            for (CompareMode m : values()) {
                if (m.name().equals(t)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("compare mode '" + text + "' must be off, tcp, http or auto");
    }

    /** The lower-case name used on the command line and in snapshots. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
