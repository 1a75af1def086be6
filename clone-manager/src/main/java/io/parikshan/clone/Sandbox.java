package io.parikshan.clone;

import com.github.dockerjava.api.exception.NotFoundException;
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
 */
final class Sandbox {

    private static final List<String> CHAINS = List.of("DOCKER-USER", "INPUT");

    private final DockerEngine engine;

    Sandbox(DockerEngine engine) {
        this.engine = engine;
    }

    /** Creates the network and its rules; returns the network's name. */
    String create(CloneNames names) {
        // independent (the rules match the bridge by name), so side by side
        CompletableFuture<Void> rules = CompletableFuture.runAsync(() -> closeRules(names), Sandbox::daemon);
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
        for (String chain : CHAINS) {
            List<String> rule = rule("-C", chain, names);
            while (HostCommand.run(rule, Duration.ofSeconds(30)).ok()) {
                HostCommand.run(rule("-D", chain, names), Duration.ofSeconds(30));
            }
        }
    }

    private static void closeRules(CloneNames names) {
        for (String chain : CHAINS) {
            if (!HostCommand.run(rule("-C", chain, names), Duration.ofSeconds(30)).ok()) {
                HostCommand.check(rule("-I", chain, names), Map.of(), Duration.ofSeconds(30),
                        "adding the sandbox rule to iptables chain " + chain);
            }
        }
    }

    private static List<String> rule(String op, String chain, CloneNames names) {
        List<String> r = new ArrayList<>(List.of("iptables", "-w", op, chain, "-i", names.bridge(),
                "-m", "conntrack", "--ctstate", "NEW,INVALID",
                "-m", "comment", "--comment", names.firewallComment(), "-j", "DROP"));
        return r;
    }
}
