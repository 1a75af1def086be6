package io.parikshan.proxy.it;

import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HeldClone;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.Scrape;
import io.parikshan.proxy.udp.UdpDuplicator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** UDP mode between real datagram sockets on loopback. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class UdpDuplicatorIT {

    /** A UDP server on loopback that records every datagram and answers with {@code reply(datagram)}. */
    private static final class DatagramServer implements AutoCloseable {
        final DatagramSocket socket;
        final List<byte[]> received = new CopyOnWriteArrayList<>();
        final Thread thread;

        DatagramServer(boolean echo) throws Exception {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                byte[] buf = new byte[65_535];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        byte[] got = Arrays.copyOf(p.getData(), p.getLength());
                        received.add(got);
                        byte[] answer = echo ? got : "CLONE".getBytes(StandardCharsets.US_ASCII);
                        socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                    } catch (Exception closed) {
                        return;
                    }
                }
            }, "udp-server");
            thread.setDaemon(true);
            thread.start();
        }

        HostPort address() {
            return new HostPort("127.0.0.1", socket.getLocalPort());
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void datagrams_reach_production_and_clone_and_only_production_answers_come_back() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        try (DatagramServer production = new DatagramServer(true);
             DatagramServer clone = new DatagramServer(false);
             UdpDuplicator proxy = UdpDuplicator.start(DuplicatorConfig.of(HostPort.parse("127.0.0.1:0"),
                     production.address(), List.of(new CloneTarget("udp", clone.address()))), registry);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2000);
            int count = 200;
            long bytes = 0;
            for (int i = 0; i < count; i++) {
                byte[] payload = ("datagram-" + i + "-" + "x".repeat(i * 7)).getBytes(StandardCharsets.US_ASCII);
                bytes += payload.length;
                client.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), proxy.localAddress().getPort()));
                DatagramPacket answer = new DatagramPacket(new byte[65_535], 65_535);
                client.receive(answer);
                assertThat(Arrays.copyOf(answer.getData(), answer.getLength())).as("answer %d", i).isEqualTo(payload);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (clone.received.size() < count && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(clone.received).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(new String(clone.received.get(i), StandardCharsets.US_ASCII)).startsWith("datagram-" + i + "-");
                assertThat(clone.received.get(i)).isEqualTo(production.received.get(i));
            }
            // no clone answer ever reached the client
            DatagramPacket stray = new DatagramPacket(new byte[100], 100);
            client.setSoTimeout(300);
            boolean strayArrived;
            try {
                client.receive(stray);
                strayArrived = true;
            } catch (SocketTimeoutException expected) {
                strayArrived = false;
            }
            assertThat(strayArrived).as("a clone answer leaked to the client").isFalse();
            assertThat(Scrape.value(registry, "parikshan_proxy_to_clone_bytes_total", "udp")).isEqualTo(bytes);
            assertThat(Scrape.value(registry, "parikshan_clone_to_proxy_discarded_bytes_total", "udp")).isEqualTo(5.0 * count);
            assertThat(Scrape.value(registry, "parikshan_production_to_client_bytes_total", null)).isEqualTo(bytes);
            assertThat(proxy.sessionCount()).isEqualTo(1);

            // a clone that is down loses its copies, production carries on
            proxy.replaceClone("udp", new CloneTarget("down", new HostPort("127.0.0.1", 9)));
            try (DatagramSocket second = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                second.setSoTimeout(2000);
                byte[] payload = "after-swap".getBytes(StandardCharsets.US_ASCII);
                second.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), proxy.localAddress().getPort()));
                DatagramPacket answer = new DatagramPacket(new byte[100], 100);
                second.receive(answer);
                assertThat(new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII)).isEqualTo("after-swap");
            }
        }
    }

    @Test
    void a_clone_held_for_gets_the_datagrams_sent_while_it_was_made_in_order() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        try (DatagramServer production = new DatagramServer(true);
             DatagramServer clone = new DatagramServer(false);
             UdpDuplicator proxy = UdpDuplicator.start(DuplicatorConfig.of(HostPort.parse("127.0.0.1:0"),
                     production.address(), List.of()), registry);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2000);
            HeldClone held = proxy.hold("next");
            HeldClone never = proxy.hold("never");
            for (int i = 0; i < 20; i++) {
                byte[] payload = ("held-" + i).getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), proxy.localAddress().getPort()));
                DatagramPacket answer = new DatagramPacket(new byte[100], 100);
                client.receive(answer);
                assertThat(Arrays.copyOf(answer.getData(), answer.getLength())).as("production answers at once").isEqualTo(payload);
            }
            assertThat(clone.received).isEmpty();
            assertThat(proxy.clones()).isEmpty();
            never.cancel(); // a clone whose restore failed: its held datagrams are let go
            held.start(new CloneTarget("next", clone.address()), null);
            byte[] after = "after-start".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(after, after.length, InetAddress.getLoopbackAddress(), proxy.localAddress().getPort()));
            client.receive(new DatagramPacket(new byte[100], 100));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (clone.received.size() < 21 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(clone.received).extracting(b -> new String(b, StandardCharsets.US_ASCII))
                    .containsExactlyElementsOf(java.util.stream.Stream.concat(
                            java.util.stream.IntStream.range(0, 20).mapToObj(i -> "held-" + i), java.util.stream.Stream.of("after-start")).toList());
            assertThat(proxy.clones()).extracting(CloneTarget::name).containsExactly("next");
            assertThat(Scrape.value(registry, "parikshan_proxy_to_clone_dropped_bytes_total", "never")).isZero();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (proxy.bufferedBytes() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(proxy.bufferedBytes()).as("held bytes given back").isZero();
        }
    }
}
