package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Publishes clone ports on the host with nat rules, as the engine does without its userland
 * proxy: connections to the host address and port are sent to the clone's address. Loopback
 * publications (the default) need {@code route_localnet} on the sandbox bridge and a masquerade
 * of the loopback source, since 127.0.0.1 cannot leave the host otherwise. Every rule carries the
 * clone's firewall comment, so the sandbox's removal takes them too.
 */
final class ClonePorts {

    private ClonePorts() {
    }

    /** Publishes each port; returns them as {@code host:port -> port/proto}. */
    static List<String> publish(CloneNames names, String cloneIp, List<PortPublication> ports) {
        List<String> out = new ArrayList<>();
        List<String> rules = new ArrayList<>();
        String comment = "-m comment --comment " + names.firewallComment();
        boolean loopback = false;
        for (PortPublication p : ports) {
            int hostPort = p.hostPort() == 0 ? freePort(p.hostIp(), p.protocol()) : p.hostPort();
            String match = "-p " + p.protocol() + (p.hostIp().equals("0.0.0.0") ? " -m addrtype --dst-type LOCAL" : " -d " + p.hostIp() + "/32")
                    + " --dport " + hostPort + " " + comment + " -j DNAT --to-destination " + cloneIp + ":" + p.containerPort();
            rules.add("-I OUTPUT " + match);
            rules.add("-I PREROUTING " + match);
            loopback |= p.hostIp().startsWith("127.") || p.hostIp().equals("0.0.0.0");
            out.add(p.hostIp() + ":" + hostPort + " -> " + p.containerPort() + "/" + p.protocol());
        }
        if (rules.isEmpty()) {
            return out;
        }
        if (loopback) {
            Path localnet = Path.of("/proc/sys/net/ipv4/conf", names.bridge(), "route_localnet");
            try {
                Files.writeString(localnet, "1");
            } catch (IOException e) {
                throw new ParikshanException("cannot allow loopback publication on " + names.bridge() + " (" + localnet
                        + ": " + e.getMessage() + "); publish on another address with --publish IP:PORT:PORT");
            }
            rules.add("-I POSTROUTING -s 127.0.0.0/8 -o " + names.bridge() + " " + comment + " -j MASQUERADE");
        }
        // one iptables-restore for all of them: one program, one commit of the nat table
        Path batch = names.stateDir().resolve("ports.rules");
        try {
            Files.writeString(batch, "*nat\n" + String.join("\n", rules) + "\nCOMMIT\n");
        } catch (IOException e) {
            throw new ParikshanException("cannot write the clone's port rules to " + batch + ": " + e.getMessage());
        }
        HostCommand.check(List.of("iptables-restore", "--noflush", "-w", "10", batch.toString()), Map.of(),
                Duration.ofSeconds(30), "publishing the clone's ports " + ports);
        return out;
    }

    /**
     * Fails unless every asked-for host port is free: a nat rule would take new connections away
     * from whatever listens there, silently, where the engine would have refused.
     */
    static void requireFree(List<PortPublication> ports) {
        for (PortPublication p : ports) {
            if (p.hostPort() == 0) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(p.hostIp()), p.hostPort()));
            } catch (IOException e) {
                throw new ParikshanException("cannot publish the clone's port on " + p.hostIp() + ":" + p.hostPort()
                        + ": it is in use (" + e.getMessage() + "); choose another with --publish, or 0 for any free port");
            }
        }
    }

    /** A port nothing listens on now (the kernel's pick), for a publication without a host port. */
    static int freePort(String hostIp, String protocol) {
        try {
            InetAddress at = InetAddress.getByName(hostIp);
            if (protocol.equals("udp")) {
                try (var s = new java.net.DatagramSocket(new InetSocketAddress(at, 0))) {
                    return s.getLocalPort();
                }
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(at, 0));
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw new ParikshanException("no free port on " + hostIp + " for the clone (" + e.getMessage()
                    + "); give one with --publish " + hostIp + ":PORT:CONTAINER_PORT");
        }
    }
}
