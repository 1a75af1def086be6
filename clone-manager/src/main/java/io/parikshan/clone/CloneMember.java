package io.parikshan.clone;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One container of a clone (a clone made alone is a group of one): what the safety checks found
 * out about its production, and what the clone made of it so far.
 */
final class CloneMember {

    final InspectContainerResponse prod;
    final String prodName;
    final CloneNames names;
    final List<MountPlan> mounts;
    final Path productionSpec;
    final long imageNeed;
    final List<String> warnings;

    /** Disk its copies of production's files take here (0 for a twin: its front's figure counts). */
    long filesNeed;
    Path images;
    Path prodUpper;
    String lowerDirs;
    long preCopied;
    long imageBytes;
    String ip;
    /** For a twin started afresh from an image: that image; null for a restored clone. */
    FreshStart fresh;
    /** The twin's published ports, as {@code host:port -> port/proto}. */
    List<String> addresses = List.of();
    /**
     * For a twin of a group's front: its own copies of the group's dependencies, in the group's order,
     * restored from their checkpoints into the twin's own sandbox (the twin's writes reach these only).
     */
    final List<CloneMember> deps = new ArrayList<>();

    boolean fresh() {
        return fresh != null;
    }

    /** The twin and its copies of the group's dependencies, the twin first (just the twin for a clone made alone). */
    List<CloneMember> twinGroup() {
        List<CloneMember> out = new ArrayList<>();
        out.add(this);
        out.addAll(deps);
        return out;
    }

    CloneMember(InspectContainerResponse prod, String prodName, CloneNames names, List<MountPlan> mounts,
                Path productionSpec, long imageNeed, List<String> warnings) {
        this.prod = prod;
        this.prodName = prodName;
        this.names = names;
        this.mounts = mounts;
        this.productionSpec = productionSpec;
        this.imageNeed = imageNeed;
        this.warnings = warnings;
    }

    /** Production's networks (by name, sorted), as the engine reports them. */
    Map<String, ContainerNetwork> networks() {
        Map<String, ContainerNetwork> nets = Optional.ofNullable(prod.getNetworkSettings())
                .map(s -> s.getNetworks()).orElse(Map.of());
        return new TreeMap<>(nets);
    }

    /** Production's addresses as {@code ip/prefix}, one per network that gave it one. */
    List<String> productionAddresses() {
        List<String> out = new ArrayList<>();
        for (ContainerNetwork n : networks().values()) {
            if (n.getIpAddress() != null && !n.getIpAddress().isEmpty()) {
                out.add(n.getIpAddress() + "/" + (n.getIpPrefixLen() == null ? 32 : n.getIpPrefixLen()));
            }
        }
        return out;
    }

    /** Whether production shares a network with {@code other}'s production (so it could reach it). */
    boolean sharesNetworkWith(CloneMember other) {
        for (ContainerNetwork mine : networks().values()) {
            for (ContainerNetwork theirs : other.networks().values()) {
                if (mine.getNetworkID() != null && mine.getNetworkID().equals(theirs.getNetworkID())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The {@code /etc/hosts} lines by which the other members find this one, as the engine's DNS
     * would answer them on each network they share: the container name and its aliases.
     */
    List<String> hostsLinesFor(CloneMember peer) {
        List<String> out = new ArrayList<>();
        for (ContainerNetwork mine : networks().values()) {
            boolean shared = peer.networks().values().stream()
                    .anyMatch(n -> n.getNetworkID() != null && n.getNetworkID().equals(mine.getNetworkID()));
            if (!shared || mine.getIpAddress() == null || mine.getIpAddress().isEmpty()) {
                continue;
            }
            java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
            names.add(prodName);
            Optional.ofNullable(mine.getAliases()).ifPresent(names::addAll);
            out.add(mine.getIpAddress() + "\t" + String.join(" ", names));
        }
        return out;
    }
}
