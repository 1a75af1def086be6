package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.NetworkSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.contract.ParikshanException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of a clone group, without an engine: names, addresses, firewall lines, refusals. */
class CloneGroupTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachPairOfMembersMayTalkAndNothingElseWithoutEgress() {
        CloneNames owner = new CloneNames("web-c", Path.of("/x"));
        CloneNames db = new CloneNames("web-c.db", Path.of("/x"));
        List<String> rules = Sandbox.rules(owner, List.of(owner, db), List.of());
        assertThat(rules).filteredOn(r -> r.endsWith("-j DROP")).hasSize(2); // DOCKER-USER and INPUT
        assertThat(rules).filteredOn(r -> r.contains("--physdev-in")).containsExactlyInAnyOrder(
                "-I DOCKER-USER -i " + owner.bridge() + " -o " + owner.bridge() + " -m physdev --physdev-in "
                        + owner.vethHost() + " --physdev-out " + db.vethHost() + " -m comment --comment parikshan:web-c -j ACCEPT",
                "-I DOCKER-USER -i " + owner.bridge() + " -o " + owner.bridge() + " -m physdev --physdev-in "
                        + db.vethHost() + " --physdev-out " + owner.vethHost() + " -m comment --comment parikshan:web-c -j ACCEPT");
        assertThat(rules).noneMatch(r -> r.contains("ESTABLISHED"));
        // inserted first, so they come after the accepts in the chain
        assertThat(rules.get(0)).endsWith("-j DROP");
        assertThat(Sandbox.rules(owner, List.of(owner), List.of())).hasSize(2);
        // the members' traffic between production's addresses is tracked apart from production's
        assertThat(Sandbox.zoneRules(owner, List.of("172.20.0.3/16", "172.20.0.2/16"))).containsExactly(
                "-I PREROUTING -i " + owner.bridge() + " -d 172.20.0.3/32 -m comment --comment parikshan:web-c -j CT --zone "
                        + Sandbox.conntrackZone(owner),
                "-I PREROUTING -i " + owner.bridge() + " -d 172.20.0.2/32 -m comment --comment parikshan:web-c -j CT --zone "
                        + Sandbox.conntrackZone(owner));
        assertThat(Sandbox.conntrackZone(owner)).isBetween(1, 65000);
        // Docker 28 drops packets for a container's address from another bridge in raw PREROUTING:
        // the group's are accepted there, below the zone rules (inserted first)
        List<String> raw = Sandbox.rawRules(owner, List.of("172.20.0.2/16"), List.of(AllowedEgress.parse("10.9.8.7:5432")));
        assertThat(raw).hasSize(3);
        assertThat(raw.get(0)).isEqualTo("-I PREROUTING -i " + owner.bridge()
                + " -d 172.20.0.2/32 -m comment --comment parikshan:web-c -j ACCEPT");
        assertThat(raw.get(1)).contains("-d 10.9.8.7/32 -p tcp --dport 5432").endsWith("-j ACCEPT");
        assertThat(raw.get(2)).contains("-j CT --zone");
    }

    @Test
    void anAllowedEgressOpensOneAddressAndPortAndItsReplies() {
        CloneNames owner = new CloneNames("web-c", Path.of("/x"));
        List<String> rules = Sandbox.rules(owner, List.of(owner), List.of(AllowedEgress.parse("10.9.8.7:5432")));
        assertThat(rules).filteredOn(r -> r.contains("10.9.8.7")).hasSize(2)
                .allMatch(r -> r.contains("-d 10.9.8.7/32 -p tcp --dport 5432 -m conntrack --ctstate NEW"));
        assertThat(rules).filteredOn(r -> r.contains("RELATED,ESTABLISHED")).hasSize(2);
    }

    @Test
    void anEgressAddressIsParsedOrRefusedInTheUsersTerms() {
        assertThat(AllowedEgress.parse("10.0.0.5:443")).extracting(AllowedEgress::ip, AllowedEgress::port)
                .containsExactly("10.0.0.5", 443);
        assertThatThrownBy(() -> AllowedEgress.parse("10.0.0.5")).hasMessageContaining("'10.0.0.5' is not HOST:PORT");
        assertThatThrownBy(() -> AllowedEgress.parse("10.0.0.5:70000")).hasMessageContaining("outside 1-65535");
        assertThatThrownBy(() -> AllowedEgress.parse("127.0.0.1:80")).hasMessageContaining("loopback");
        assertThatThrownBy(() -> AllowedEgress.parse("no-such-host.invalid:80")).hasMessageContaining("does not resolve");
    }

    @Test
    void membersFindEachOtherByNameAndAliasOnTheNetworksTheyShare(@TempDir Path root) throws Exception {
        CloneMember web = member(root, "web", "web-c", Map.of("shop", net("n1", "172.20.0.3", List.of("www"))));
        CloneMember db = member(root, "db", "web-c.db", Map.of("shop", net("n1", "172.20.0.2", List.of("db", "postgres")),
                "backoffice", net("n2", "172.21.0.2", List.of())));
        assertThat(db.hostsLinesFor(web)).containsExactly("172.20.0.2\tdb postgres");
        assertThat(db.productionAddresses()).containsExactly("172.21.0.2/16", "172.20.0.2/16");
        assertThat(db.sharesNetworkWith(web)).isTrue();
        for (CloneMember m : List.of(web, db)) {
            Files.createDirectories(m.names.etcDir());
            Files.writeString(m.names.etcDir().resolve("hosts"), "127.0.0.1\tlocalhost\n");
        }
        GroupRules.addPeerNames(List.of(web, db));
        assertThat(Files.readString(web.names.etcDir().resolve("hosts"))).contains("127.0.0.1\tlocalhost\n")
                .contains("172.20.0.2\tdb postgres").doesNotContain("172.21.0.2").doesNotContain("www");
        assertThat(Files.readString(db.names.etcDir().resolve("hosts"))).contains("172.20.0.3\tweb www");
    }

    @Test
    void aGroupIsRefusedForAnUnreachableOrRepeatedDependencyOrEgressToProduction(@TempDir Path root) throws Exception {
        CloneMember web = member(root, "web", "web-c", Map.of("shop", net("n1", "172.20.0.3", List.of())));
        CloneMember far = member(root, "far", "web-c.far", Map.of("other", net("n9", "172.29.0.2", List.of())));
        CloneMember db = member(root, "db", "web-c.db", Map.of("shop", net("n1", "172.20.0.2", List.of())));
        CloneRequest plain = new CloneRequest("web", "web-c", List.of(), List.of("db"), List.of());
        GroupRules.check(plain, List.of(web, db));
        assertThatThrownBy(() -> GroupRules.check(plain, List.of(web, far))).isInstanceOf(ParikshanException.class)
                .hasMessageContaining("--with 'far' is on no network web is on (web: shop; far: other)");
        assertThatThrownBy(() -> GroupRules.check(plain, List.of(web, db, db)))
                .hasMessageContaining("--with 'db' is given twice");
        CloneRequest toDb = new CloneRequest("web", "web-c", List.of(), List.of("db"),
                List.of(AllowedEgress.parse("172.20.0.2:5432")));
        assertThatThrownBy(() -> GroupRules.check(toDb, List.of(web, db)))
                .hasMessageContaining("is the address of production's db");
    }

    @Test
    void theOwnerNamesItsMembersBeforeTheyExistAndOldRecordsStillRead(@TempDir Path root) throws Exception {
        CloneNames owner = new CloneNames("web-c", root);
        Files.createDirectories(owner.stateDir());
        assertThat(GroupRules.readMembers(owner)).isEmpty();
        GroupRules.writeMembers(owner, List.of("web-c.db", "web-c.cache"));
        assertThat(GroupRules.readMembers(owner)).containsExactly("web-c.db", "web-c.cache");
        // a record written before groups existed has none of their fields
        Files.writeString(owner.recordFile(), "{\"name\":\"web-c\",\"production\":\"web\",\"productionId\":\"a\","
                + "\"createdEpochSeconds\":1,\"ip\":\"172.18.255.254\",\"network\":\"n\",\"addresses\":[]}");
        assertThat(CloneRecord.read(owner)).hasValueSatisfying(r -> {
            assertThat(r.group()).isNull();
            assertThat(r.members()).isEmpty();
        });
    }

    private static ContainerNetwork net(String id, String ip, List<String> aliases) throws Exception {
        return JSON.readValue(JSON.writeValueAsString(Map.of("NetworkID", id, "IPAddress", ip, "IPPrefixLen", 16,
                "Aliases", aliases)), ContainerNetwork.class);
    }

    private static CloneMember member(Path root, String prodName, String clone, Map<String, ContainerNetwork> nets)
            throws Exception {
        InspectContainerResponse prod = JSON.readValue("{\"Id\":\"" + prodName + "-id\",\"Name\":\"/" + prodName + "\"}",
                InspectContainerResponse.class);
        NetworkSettings settings = JSON.readValue("{}", NetworkSettings.class);
        java.lang.reflect.Field f = NetworkSettings.class.getDeclaredField("networks");
        f.setAccessible(true);
        f.set(settings, nets);
        java.lang.reflect.Field s = InspectContainerResponse.class.getDeclaredField("networkSettings");
        s.setAccessible(true);
        s.set(prod, settings);
        return new CloneMember(prod, prodName, new CloneNames(clone, root), List.of(), null, 0, List.of());
    }

    @Test
    void aGroupHasTwinsFromOneCheckpointOnThisHostOnlyAndACloneAloneOnATestHostToo() {
        io.parikshan.clone.remote.Ssh testHost = new io.parikshan.clone.remote.Ssh(
                io.parikshan.clone.remote.TestHostAddress.parse("t:2222"), Path.of("/x/ssh_config"));
        CloneRequest group = new CloneRequest("web", "web-c", List.of(), List.of("db"), List.of());
        assertThat(group.withTwins(List.of(new CloneRequest.Twin("web-t", null))).twins()).hasSize(1);
        assertThatThrownBy(() -> group.withTwins(List.of(new CloneRequest.Twin("web-t", null))).onTestHost(testHost))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("twins from one checkpoint of a group are made on this host");
        CloneRequest alone = new CloneRequest("web", "web-c", List.of()).withTwins(List.of(new CloneRequest.Twin("web-t", null)));
        assertThat(alone.onTestHost(testHost).twins()).hasSize(1);
    }
}
