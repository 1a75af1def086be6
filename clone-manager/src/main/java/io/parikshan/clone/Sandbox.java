package io.parikshan.clone;

import com.github.dockerjava.api.exception.NotFoundException;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The clone's network sandbox: a bridge network of its own, and firewall rules that drop every
 * new connection coming out of that bridge, towards other containers (FORWARD, through
 * Docker's DOCKER-USER chain) or the host itself (INPUT). Connections into the clone, such as
 * the duplicator's through the published loopback port, are not new on the way back and pass.
 * The rules match the bridge by name, so they are in force before the clone's first packet.
 *
 * <p>A clone group shares one sandbox: its members' veths are on the owner's bridge, and each
 * pair of members may open connections to each other (a bridged packet between two of their
 * ports), nothing else on the bridge. Each member also holds its production's addresses, on the
 * sandbox only, so a peer reaches it at the address it resolved before the checkpoint; the host
 * routes those addresses to production, so the duplicator reaches the clone at its sandbox
 * address instead. An {@link AllowedEgress} opens exactly one address and port on top.
 */
final class Sandbox {

    private static final List<String> CHAINS = List.of("DOCKER-USER", "INPUT");

    private final DockerEngine engine;

    Sandbox(DockerEngine engine) {
        this.engine = engine;
    }

    /** Creates the network and its rules for a clone alone; returns the network's name. */
    String create(CloneNames names) {
        return create(names, List.of(names), List.of(), List.of());
    }

    /**
     * Creates the network of the group owned by {@code names} (whose members, the owner first,
     * are {@code members}, holding {@code memberAddresses} of production's, as {@code ip/prefix})
     * and its rules; returns the network's name.
     */
    String create(CloneNames names, List<CloneNames> members, List<AllowedEgress> egress, List<String> memberAddresses) {
        // independent (the rules match the bridge by name), so side by side
        CompletableFuture<Void> rules = CompletableFuture.runAsync(() -> closeRules(names, members, egress, memberAddresses),
                Sandbox::daemon);
        try {
            engine.client().createNetworkCmd()
                    .withName(names.sandboxNetwork())
                    .withDriver("bridge")
                    .withOptions(Map.of("com.docker.network.bridge.name", names.bridge()))
                    .withLabels(Map.of(CloneNames.LABEL_CLONE, names.cloneName()))
                    .exec();
        } finally {
            FileCopier.awaitQuietly(rules.thenApply(done -> 0L)); // never leave a rule being added behind
        }
        try {
            rules.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return names.sandboxNetwork();
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "parikshan-sandbox-rules");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Gives the restored clone (process {@code pid}, in the fresh network namespace CRIU made for
     * it, with nothing but a loopback that is down) its only interface: one end of a veth pair on
     * the sandbox bridge, named eth0, with the subnet's last address (the engine hands out
     * addresses from the first up, so a container a user attaches to the sandbox to look at the
     * clone never gets the clone's). Until then the clone has no network at all; from then on the
     * bridge's rules hold it.
     *
     * @return the clone's address
     */
    String attach(CloneNames names, long pid) {
        return attach(names, names, 0, pid, List.of(), List.of());
    }

    /**
     * Attaches member {@code index} of the group owned by {@code owner} (0 is the owner itself):
     * its sandbox address is the subnet's last but {@code index}; it also holds
     * {@code productionAddresses} ({@code ip/prefix}), and reaches each allowed egress address
     * through the sandbox's gateway even where that address lies in one of production's subnets.
     */
    String attach(CloneNames names, CloneNames owner, int index, long pid, List<String> productionAddresses,
                  List<AllowedEgress> egress) {
        var ipam = engine.client().inspectNetworkCmd().withNetworkId(owner.sandboxNetwork()).exec().getIpam();
        var config = ipam == null || ipam.getConfig() == null || ipam.getConfig().isEmpty() ? null : ipam.getConfig().get(0);
        if (config == null || config.getGateway() == null || config.getSubnet() == null) {
            throw new ParikshanException("the sandbox network " + owner.sandboxNetwork()
                    + " has no IPv4 subnet and gateway; check 'docker network inspect " + owner.sandboxNetwork() + "'");
        }
        String gateway = config.getGateway();
        String prefix = config.getSubnet().substring(config.getSubnet().indexOf('/') + 1);
        String address = lastAddress(config.getSubnet(), index);
        String host = names.vethHost();
        String peer = names.vethClone();
        // two batches of ip commands (one on the host, one in the clone's namespace): each
        // program started costs milliseconds of the clone's restore phase
        Path hostSide = names.stateDir().resolve("net-host.ip");
        Path cloneSide = names.stateDir().resolve("net-clone.ip");
        try {
            Files.writeString(hostSide, "link add " + host + " type veth peer name " + peer + "\n"
                    + "link set " + host + " master " + owner.bridge() + " up\n"
                    + "link set " + peer + " netns " + pid + "\n");
            StringBuilder inClone = new StringBuilder("link set lo up\n"
                    + "link set " + peer + " name eth0\n"
                    + "addr add " + address + "/" + prefix + " dev eth0\n");
            for (String a : productionAddresses) {
                inClone.append("addr add ").append(a).append(" dev eth0\n");
            }
            inClone.append("link set eth0 up\n")
                    .append("route add default via ").append(gateway).append(" src ").append(address).append("\n");
            for (AllowedEgress e : egress) {
                inClone.append("route add ").append(e.ip()).append("/32 via ").append(gateway).append(" src ")
                        .append(address).append("\n");
            }
            Files.writeString(cloneSide, inClone.toString());
        } catch (IOException e) {
            throw new ParikshanException("cannot write the clone's network set-up in " + names.stateDir() + ": " + e.getMessage());
        }
        Duration t = Duration.ofSeconds(30);
        HostCommand.check(List.of("ip", "-batch", hostSide.toString()), Map.of(), t,
                "giving the clone an interface " + host + " on the sandbox bridge " + owner.bridge());
        HostCommand.check(List.of("nsenter", "-t", Long.toString(pid), "-n", "ip", "-batch", cloneSide.toString()),
                Map.of(), t, "configuring the clone's network (" + address + ")");
        return address;
    }

    /** The last host address of an IPv4 subnet (172.18.0.0/16 gives 172.18.255.254). */
    static String lastAddress(String subnet) {
        return lastAddress(subnet, 0);
    }

    /** The last host address of an IPv4 subnet but {@code back} (172.18.0.0/16 and 1 give 172.18.255.253). */
    static String lastAddress(String subnet, int back) {
        String[] cidr = subnet.split("/");
        long v = 0;
        for (String part : cidr[0].split("\\.")) {
            v = (v << 8) | Integer.parseInt(part);
        }
        int bits = Integer.parseInt(cidr[1]);
        long hostMask = (1L << (32 - bits)) - 1;
        long last = ((v & ~hostMask & 0xffffffffL) | (hostMask - 1)) - back;
        return ((last >> 24) & 255) + "." + ((last >> 16) & 255) + "." + ((last >> 8) & 255) + "." + (last & 255);
    }

    /** Removes the network and the rules; nothing happens for parts already gone. */
    void remove(CloneNames names) {
        try {
            // Anything still attached (a user's debugging container) would block the removal.
            var net = engine.client().inspectNetworkCmd().withNetworkId(names.sandboxNetwork()).exec();
            for (String id : Optional.ofNullable(net.getContainers()).map(Map::keySet).orElse(Set.of())) {
                engine.client().disconnectFromNetworkCmd().withNetworkId(net.getId()).withContainerId(id)
                        .withForce(true).exec();
            }
            engine.client().removeNetworkCmd(names.sandboxNetwork()).exec();
        } catch (NotFoundException e) {
            // already gone
        }
        // the veth goes with the clone's network namespace; a leftover host end (a failed attach) here
        HostCommand.run(List.of("ip", "link", "del", names.vethHost()), Duration.ofSeconds(30));
        for (String table : List.of("filter", "nat", "raw")) {
            removeRules(table, names.firewallComment());
        }
    }

    /** Deletes every rule of {@code table} carrying exactly {@code comment}. */
    static void removeRules(String table, String comment) {
        HostCommand.Result listed = HostCommand.run(List.of("iptables", "-w", "-t", table, "-S"), Duration.ofSeconds(30));
        if (!listed.ok()) {
            return;
        }
        for (List<String> rule : rulesWithComment(listed.stdout(), comment)) {
            List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-D"));
            delete.addAll(rule);
            HostCommand.run(delete, Duration.ofSeconds(30));
        }
    }

    /**
     * The rules in {@code iptables -S} output that carry exactly {@code comment}, each as the
     * words after {@code -A} (what {@code iptables -D} takes).
     */
    static List<List<String>> rulesWithComment(String listed, String comment) {
        List<List<String>> out = new ArrayList<>();
        for (String line : listed.lines().toList()) {
            List<String> words = List.of(line.strip().split("\\s+"));
            int at = words.indexOf("--comment");
            if (words.size() < 2 || !words.get(0).equals("-A") || at < 0 || at + 1 >= words.size()
                    || !words.get(at + 1).replace("\"", "").equals(comment)) {
                continue;
            }
            out.add(words.subList(1, words.size()).stream().map(w -> w.replace("\"", "")).toList());
        }
        return out;
    }

    /**
     * The drop rules, then on top of them (each inserted first) what the group and its allowed
     * egress may do; all in one iptables-restore, one commit of the filter table.
     */
    private static void closeRules(CloneNames names, List<CloneNames> members, List<AllowedEgress> egress,
                                   List<String> memberAddresses) {
        Path batch = names.stateDir().resolve("sandbox.rules");
        try {
            String nat = members.size() < 2 ? "" : "*nat\n" + String.join("\n", natRules(names)) + "\nCOMMIT\n";
            List<String> raw = rawRules(names, memberAddresses, egress);
            Files.writeString(batch, "*filter\n" + String.join("\n", rules(names, members, egress)) + "\nCOMMIT\n" + nat
                    + (raw.isEmpty() ? "" : "*raw\n" + String.join("\n", raw) + "\nCOMMIT\n"));
        } catch (IOException e) {
            throw new ParikshanException("cannot write the sandbox's rules to " + batch + ": " + e.getMessage());
        }
        HostCommand.check(List.of("iptables-restore", "--noflush", "-w", "10", batch.toString()), Map.of(),
                Duration.ofSeconds(30), "adding the sandbox's rules to iptables chains " + CHAINS);
    }

    /**
     * A group's members hold production's addresses, whose networks the engine masquerades when
     * they leave by another bridge: between two ports of the sandbox's bridge they must not be.
     */
    static List<String> natRules(CloneNames names) {
        return List.of("-I POSTROUTING -o " + names.bridge() + " -m physdev --physdev-is-bridged -m comment --comment "
                + names.firewallComment() + " -j ACCEPT");
    }

    /**
     * The members hold production's addresses, and the host's connection tracking is shared: a
     * member's connection to another would meet production's own entries for the same addresses
     * and ports (the engine's bridge traffic is tracked too), and one would break the other. The
     * group's traffic between production's addresses is tracked in a zone of its own.
     */
    static List<String> zoneRules(CloneNames names, List<String> memberAddresses) {
        List<String> out = new ArrayList<>();
        for (String a : memberAddresses) {
            out.add("-I PREROUTING -i " + names.bridge() + " -d " + a.substring(0, a.indexOf('/')) + "/32 -m comment --comment "
                    + names.firewallComment() + " -j CT --zone " + conntrackZone(names));
        }
        return out;
    }

    /**
     * The raw table's rules, in insertion order: Docker 28 drops, in raw PREROUTING, every packet
     * for a container's address that does not come from the container's own bridge, so the
     * members' packets to production's addresses (and an allowed egress address on a Docker
     * network) are accepted there first (inserted first, so below the zone rules, which must
     * come before them).
     */
    static List<String> rawRules(CloneNames names, List<String> memberAddresses, List<AllowedEgress> egress) {
        List<String> out = new ArrayList<>();
        String tag = " -m comment --comment " + names.firewallComment();
        for (String a : memberAddresses) {
            out.add("-I PREROUTING -i " + names.bridge() + " -d " + a.substring(0, a.indexOf('/')) + "/32" + tag + " -j ACCEPT");
        }
        for (AllowedEgress e : egress) {
            out.add("-I PREROUTING -i " + names.bridge() + " -d " + e.ip() + "/32 -p tcp --dport " + e.port() + tag + " -j ACCEPT");
        }
        out.addAll(zoneRules(names, memberAddresses));
        return out;
    }

    /** The group's own conntrack zone (1 to 65000; 0 is the host's). */
    static int conntrackZone(CloneNames names) {
        return 1 + Math.floorMod(names.cloneName().hashCode(), 65000);
    }

    /** The sandbox's rules as iptables-restore lines, in the order they are inserted (the last is first in its chain). */
    static List<String> rules(CloneNames names, List<CloneNames> members, List<AllowedEgress> egress) {
        String br = names.bridge();
        String tag = " -m comment --comment " + names.firewallComment();
        List<String> out = new ArrayList<>();
        for (String chain : CHAINS) {
            out.add("-I " + chain + " -i " + br + " -m conntrack --ctstate NEW,INVALID" + tag + " -j DROP");
        }
        for (CloneNames from : members) {
            for (CloneNames to : members) {
                if (!from.equals(to)) {
                    out.add("-I DOCKER-USER -i " + br + " -o " + br + " -m physdev --physdev-in " + from.vethHost()
                            + " --physdev-out " + to.vethHost() + tag + " -j ACCEPT");
                }
            }
        }
        for (AllowedEgress e : egress) {
            for (String chain : CHAINS) {
                out.add("-I " + chain + " -i " + br + " -d " + e.ip() + "/32 -p tcp --dport " + e.port()
                        + " -m conntrack --ctstate NEW" + tag + " -j ACCEPT");
            }
        }
        if (!egress.isEmpty()) {
            // an egress address on another Docker network: the engine's isolation between networks
            // would drop the rest of the connection both ways
            out.add("-I DOCKER-USER -i " + br + " -m conntrack --ctstate RELATED,ESTABLISHED" + tag + " -j ACCEPT");
            out.add("-I DOCKER-USER -o " + br + " -m conntrack --ctstate RELATED,ESTABLISHED" + tag + " -j ACCEPT");
        }
        return out;
    }
}
