package io.parikshan.clone;

import static io.parikshan.clone.DockerTestHost.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The clone's sandbox: no new connection out of the clone reaches the host or another
 * container, while its published port answers. Each blocked path is first shown open from
 * production, so the test fails if the sandbox were missing.
 */
class SandboxIT extends CloneHostFixture {

    private ServerSocket hostListener;

    @BeforeEach
    void listenOnTheHost() throws Exception {
        hostListener = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
    }

    @AfterEach
    void stopListening() throws Exception {
        hostListener.close();
    }

    @Test
    void cloneCannotOpenConnectionsButAnswersOnItsPublishedPort() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            while (!hostListener.isClosed()) {
                try (Socket s = hostListener.accept()) {
                    accepted.incrementAndGet();
                } catch (Exception e) {
                    return;
                }
            }
        }, "host-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        int hostPort = hostListener.getLocalPort();

        String prod = DockerTestHost.uniqueName("sbx");
        String peer = prod + "-peer";
        containers.add(prod);
        containers.add(peer);
        DockerTestHost.startCounterService(prod);
        DockerTestHost.startCounterService(peer);
        DockerTestHost.awaitGet(DockerTestHost.hostPort(prod, 8080), "/count");
        DockerTestHost.awaitGet(DockerTestHost.hostPort(peer, 8080), "/count");

        String clone = prod + "-c";
        clones.add(clone);
        CloneReport report = cloneManager().clone(
                new CloneRequest(prod, clone, List.of(PortPublication.parse("127.0.0.1:0:8080"))), CloneProgress.SILENT);
        String sandboxNet = "parikshan-sbx-" + clone;
        // Put the peer on the clone's own bridge too, so only the sandbox rules stand between them.
        docker("network", "connect", sandboxNet, peer);
        String peerOnSandbox = docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + sandboxNet + "\").IPAddress}}", peer);
        String peerOnDefault = docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", peer);
        String cloneGateway = docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", sandboxNet);
        assertThat(peerOnSandbox).as("a container attached to the sandbox never gets the clone's address")
                .isNotEqualTo(report.cloneIp());
        String prodGateway = docker("inspect", "-f", "{{.NetworkSettings.Gateway}}", prod);

        // Production (outside the sandbox) reaches the host and the peer: the paths exist.
        assertThat(connects(prod, prodGateway, hostPort)).isTrue();
        assertThat(connects(prod, peerOnDefault, 8080)).isTrue();
        int acceptedByHost = accepted.get();
        assertThat(acceptedByHost).isPositive();

        // The clone reaches neither.
        assertThat(connects(clone, cloneGateway, hostPort)).isFalse();
        assertThat(connects(clone, prodGateway, hostPort)).isFalse();
        assertThat(connects(clone, peerOnSandbox, 8080)).isFalse();
        assertThat(connects(clone, peerOnDefault, 8080)).isFalse();
        assertThat(accepted.get()).isEqualTo(acceptedByHost);

        // Yet its published port answers, from the host's loopback.
        assertThat(DockerTestHost.curl(DockerTestHost.publishedPort(report, 8080), "/count")).isNotBlank();
        // ... and its address on the sandbox bridge, from the host (as the duplicator reaches it).
        assertThat(DockerTestHost.curl(report.cloneIp(), 8080, "/count")).isNotBlank();
        docker("network", "disconnect", sandboxNet, peer);
    }

    /** Tries a TCP connection from inside a container (bash's /dev/tcp; a dropped SYN times out). */
    private static boolean connects(String container, String ip, int port) {
        return DockerTestHost.execResult(container, "timeout", "3", "bash", "-c",
                "exec 3<>/dev/tcp/" + ip + "/" + port).ok();
    }
}
