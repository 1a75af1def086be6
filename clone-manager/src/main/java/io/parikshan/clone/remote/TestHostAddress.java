package io.parikshan.clone.remote;

import io.parikshan.contract.ParikshanException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test host as the user names it: {@code [USER@]HOST[:PORT]}, user root and port 22 unless
 * given. HOST is a name or an IPv4 address (an SSH config's {@code Host} alias works too).
 */
public record TestHostAddress(String user, String host, int port) {

    private static final Pattern FORM = Pattern.compile("(?:([a-z_][a-z0-9_.-]*)@)?([A-Za-z0-9][A-Za-z0-9.-]*)(?::(\\d{1,5}))?");

    public TestHostAddress {
        if (port < 1 || port > 65535) {
            throw new ParikshanException("test host port " + port + " is not a TCP port; give 1-65535");
        }
    }

    public static TestHostAddress parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new ParikshanException("test host '" + text + "' is not [USER@]HOST[:PORT]; give e.g. root@testhost or 10.0.0.7:2222");
        }
        int port = m.group(3) == null ? 22 : Integer.parseInt(m.group(3));
        return new TestHostAddress(m.group(1) == null ? "root" : m.group(1), m.group(2), port);
    }

    /** {@code user@host}, what ssh takes as its destination. */
    public String destination() {
        return user + "@" + host;
    }

    @Override
    public String toString() {
        return destination() + (port == 22 ? "" : ":" + port);
    }
}
