package io.parikshan.proxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A TCP/UDP endpoint as the user writes it: {@code host:port} or {@code [ipv6]:port}.
 * Resolution is left to connect time so that a name that resolves later still works.
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("empty host in address ':" + port + "'; write HOST:PORT, e.g. 127.0.0.1:8080");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " of '" + host + "' is out of range 0-65535");
        }
    }

    /**
     * Parses {@code host:port}; the message of the exception names the value and the expected form.
     */
    public static HostPort parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address; write HOST:PORT, e.g. 127.0.0.1:8080");
        }
        String t = text.strip();
        String host;
        String portText;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("malformed address '" + text + "'; write [IPv6]:PORT, e.g. [::1]:8080");
            }
            host = t.substring(1, close);
            portText = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon < 0 || t.indexOf(':') != colon) {
                throw new IllegalArgumentException("malformed address '" + text + "'; write HOST:PORT, e.g. 127.0.0.1:8080");
            }
            host = t.substring(0, colon);
            portText = t.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed port '" + portText + "' in address '" + text + "'; write HOST:PORT with PORT in 0-65535");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("empty host in address '" + text + "'; write HOST:PORT, e.g. 127.0.0.1:8080");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " in address '" + text + "' is out of range 0-65535");
        }
        return new HostPort(host, port);
    }

    public static HostPort of(InetSocketAddress address) {
        return new HostPort(address.getHostString(), address.getPort());
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
