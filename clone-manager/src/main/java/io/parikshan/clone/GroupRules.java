package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What makes a set of containers a clone group: each dependency reachable from the front on a
 * network they share, none twice, an allowed egress address that is none of theirs; the members
 * the group's owner names (written before any member exists, so a teardown after a crash finds
 * them); and the names by which the members find each other in the sandbox.
 */
final class GroupRules {

    private GroupRules() {
    }

    /** Fails, with the value and what to do, when the group cannot be cloned as asked. */
    static void check(CloneRequest request, List<CloneMember> group) {
        CloneMember front = group.get(0);
        Set<String> ids = new HashSet<>();
        ids.add(front.prod.getId());
        for (CloneMember dep : group.subList(1, group.size())) {
            if (!ids.add(dep.prod.getId())) {
                throw new ParikshanException("--with '" + dep.prodName + "' is given twice; name each dependency once");
            }
            if (!dep.sharesNetworkWith(front)) {
                throw new ParikshanException("--with '" + dep.prodName + "' is on no network " + front.prodName
                        + " is on (" + front.prodName + ": " + String.join(", ", front.networks().keySet()) + "; "
                        + dep.prodName + ": " + String.join(", ", dep.networks().keySet())
                        + "), so " + front.prodName + " cannot be calling it; name a container on one of its networks");
            }
        }
        for (AllowedEgress e : request.egress()) {
            for (CloneMember m : group) {
                for (String a : m.productionAddresses()) {
                    if (a.substring(0, a.indexOf('/')).equals(e.ip())) {
                        throw new ParikshanException("--allow-egress '" + e.given() + "' is the address of production's "
                                + m.prodName + "; clones never reach production (clone it with --with " + m.prodName + " instead)");
                    }
                }
            }
        }
    }

    /** The file in the owner's state directory that names its members' clones. */
    static Path membersFile(CloneNames owner) {
        return owner.stateDir().resolve("members");
    }

    static void writeMembers(CloneNames owner, List<String> members) throws IOException {
        if (!members.isEmpty()) {
            Files.write(membersFile(owner), members);
        }
    }

    /** The clones of the group {@code owner} owns (without the owner), as far as they were named. */
    static List<String> readMembers(CloneNames owner) {
        Path file = membersFile(owner);
        List<String> out = new ArrayList<>();
        try {
            if (Files.isRegularFile(file)) {
                out.addAll(Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList());
            }
        } catch (IOException e) {
            throw new ParikshanException("cannot read the clone group's members in " + file + ": " + e.getMessage()
                    + "; remove the clones it names by hand with 'parikshan destroy'");
        }
        CloneRecord.read(owner).ifPresent(r -> r.members().stream().filter(m -> !out.contains(m)).forEach(out::add));
        return out;
    }

    /**
     * Adds to each member's copy of {@code /etc/hosts} the other members' production names and
     * aliases at their production addresses: inside the sandbox there is no engine DNS, and the
     * members hold those addresses there.
     */
    static void addPeerNames(List<CloneMember> group) throws IOException {
        if (group.size() < 2) {
            return;
        }
        for (CloneMember m : group) {
            Path hosts = m.names.etcDir().resolve("hosts");
            if (!Files.isRegularFile(hosts)) {
                continue;
            }
            StringBuilder lines = new StringBuilder("# the clone group's members, in its sandbox\n");
            for (CloneMember peer : group) {
                if (peer != m) {
                    peer.hostsLinesFor(m).forEach(l -> lines.append(l).append('\n'));
                }
            }
            String existing = Files.readString(hosts);
            Files.writeString(hosts, (existing.isEmpty() || existing.endsWith("\n") ? "" : "\n") + lines,
                    StandardOpenOption.APPEND);
        }
    }
}
