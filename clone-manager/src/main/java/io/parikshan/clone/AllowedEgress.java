package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One address outside the sandbox that a clone group may open connections to, given as
 * {@code --allow-egress HOST:PORT}: the escape hatch for a dependency that cannot be cloned (a
 * managed database, an outside API). The clones may change data there, so it is off unless
 * asked for, and the host name is resolved once, on the host, to the IPv4 address the rule
 * names.
 *
 * @param given what the user wrote, for messages
 * @param ip    the IPv4 address the firewall lets the clones reach
 */
public record AllowedEgress(String given, String ip, int port) {

    private static final Pattern FORM = Pattern.compile("^([A-Za-z0-9.-]+):(\\d{1,5})$");

    public static AllowedEgress parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new ParikshanException("--allow-egress '" + text + "' is not HOST:PORT, e.g. 10.0.0.5:5432");
        }
        int port = Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            throw new ParikshanException("--allow-egress '" + text + "': port " + port + " is outside 1-65535");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(m.group(1));
        } catch (UnknownHostException e) {
            throw new ParikshanException("--allow-egress '" + text + "': the host " + m.group(1)
                    + " does not resolve on this host; give its IPv4 address");
        }
        if (!(address instanceof Inet4Address)) {
            throw new ParikshanException("--allow-egress '" + text + "': " + address.getHostAddress()
                    + " is not IPv4; the sandbox's firewall rules are IPv4 only");
        }
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            throw new ParikshanException("--allow-egress '" + text + "' names this host's own loopback; "
                    + "a clone's 127.0.0.1 is its own, give the address of the service instead");
        }
        return new AllowedEgress(text.strip(), address.getHostAddress(), port);
    }

    @Override
    public String toString() {
        return ip + ":" + port;
    }
}
