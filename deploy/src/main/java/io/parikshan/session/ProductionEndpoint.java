package io.parikshan.session;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Ports;
import io.parikshan.clone.DockerEngine;
import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.HostPort;

import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Where production's service is: the container port the session duplicates, production's own
 * address on its Docker network (what the proxy connects to), and the host address the port is
 * published on, if any (what clients use, and what the proxy takes over).
 */
public record ProductionEndpoint(String container, String containerId, int containerPort,
                                 HostPort internal, Optional<HostPort> published, boolean udp) {

    /**
     * Finds the endpoint of a running container.
     *
     * @param port the container port, or null for the only TCP port production publishes (or exposes)
     */
    public static ProductionEndpoint resolve(DockerEngine engine, String container, Integer port) {
        return resolve(engine, container, port, false);
    }

    /** As above, for a UDP port when {@code udp} (a UDP port must be given). */
    public static ProductionEndpoint resolve(DockerEngine engine, String container, Integer port, boolean udp) {
        InspectContainerResponse prod = engine.inspect(container).orElseThrow(() -> new ParikshanException(
                "no container named '" + container + "'; see 'docker ps' for running containers"));
        if (!Boolean.TRUE.equals(prod.getState().getRunning())) {
            throw new ParikshanException("container '" + container + "' is not running; start it first");
        }
        String name = prod.getName().startsWith("/") ? prod.getName().substring(1) : prod.getName();
        Map<ExposedPort, Ports.Binding[]> bindings = prod.getNetworkSettings().getPorts() == null
                ? Map.of() : prod.getNetworkSettings().getPorts().getBindings();
        int chosen = port != null ? port : onlyPort(name, prod, bindings); // a UDP port always comes with --port
        if (chosen < 1 || chosen > 65535) {
            throw new ParikshanException("--port " + chosen + " is not a port number; give the container port, e.g. --port 8080");
        }
        String ip = null;
        for (ContainerNetwork n : prod.getNetworkSettings().getNetworks().values()) {
            if (n.getIpAddress() != null && !n.getIpAddress().isBlank()) {
                ip = n.getIpAddress();
                break;
            }
        }
        if (ip == null) {
            throw new ParikshanException("container '" + name + "' has no address on a Docker network (host or none "
                    + "network?); run production on a bridge network so the proxy can reach it");
        }
        Optional<HostPort> published = Optional.empty();
        Ports.Binding[] b = bindings.get(new ExposedPort(chosen, udp ? InternetProtocol.UDP : InternetProtocol.TCP));
        if (b != null && b.length > 0 && b[0].getHostPortSpec() != null && !b[0].getHostPortSpec().isBlank()) {
            String hostIp = b[0].getHostIp() == null || b[0].getHostIp().isBlank() ? "0.0.0.0" : b[0].getHostIp();
            published = Optional.of(new HostPort(hostIp, Integer.parseInt(b[0].getHostPortSpec())));
        }
        return new ProductionEndpoint(name, prod.getId(), chosen, new HostPort(ip, chosen), published, udp);
    }

    private static int onlyPort(String name, InspectContainerResponse prod, Map<ExposedPort, Ports.Binding[]> bindings) {
        TreeSet<Integer> tcp = new TreeSet<>();
        bindings.forEach((ep, b) -> {
            if (ep.getProtocol() == InternetProtocol.TCP && b != null && b.length > 0) {
                tcp.add(ep.getPort());
            }
        });
        if (tcp.isEmpty() && prod.getConfig().getExposedPorts() != null) {
            for (ExposedPort ep : prod.getConfig().getExposedPorts()) {
                if (ep.getProtocol() == InternetProtocol.TCP) {
                    tcp.add(ep.getPort());
                }
            }
        }
        if (tcp.size() == 1) {
            return tcp.first();
        }
        throw new ParikshanException(tcp.isEmpty()
                ? "container '" + name + "' publishes and exposes no TCP port; say which one to duplicate with --port CONTAINER_PORT"
                : "container '" + name + "' has TCP ports " + tcp + "; choose one with --port CONTAINER_PORT");
    }
}
