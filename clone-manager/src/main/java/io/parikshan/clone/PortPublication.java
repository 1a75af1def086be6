package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A clone port published on the host, written like Docker's {@code -p}:
 * {@code [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp]}. The host address defaults to
 * 127.0.0.1 (a clone is for the duplicator, not for the world); host port 0 means "any free".
 */
public record PortPublication(String hostIp, int hostPort, int containerPort, String protocol) {

    private static final Pattern FORM =
            Pattern.compile("^(?:(\\d{1,3}(?:\\.\\d{1,3}){3}):)?(?:(\\d{1,5}):)?(\\d{1,5})(?:/(tcp|udp))?$");

    public PortPublication {
        if (hostPort < 0 || hostPort > 65535) {
            throw new IllegalArgumentException("host port " + hostPort + " is outside 0-65535");
        }
        if (containerPort < 1 || containerPort > 65535) {
            throw new IllegalArgumentException("container port " + containerPort + " is outside 1-65535");
        }
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("protocol " + protocol + " is neither tcp nor udp");
        }
    }

    public static PortPublication parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new ParikshanException("--publish '" + text
                    + "' is not [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], e.g. 127.0.0.1:18081:8080");
        }
        try {
            return new PortPublication(m.group(1) == null ? "127.0.0.1" : m.group(1),
                    m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)),
                    m.group(4) == null ? "tcp" : m.group(4));
        } catch (IllegalArgumentException e) {
            throw new ParikshanException("--publish '" + text + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return hostIp + ":" + hostPort + ":" + containerPort + "/" + protocol;
    }
}
