package io.parikshan.proxy.it;

import io.parikshan.proxy.HostPort;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32C;

/**
 * A real TCP server on loopback that records what each connection received (length, CRC32C,
 * first bytes, whether it saw FIN) and answers in one of a few ways, standing in for production
 * or for a clone that is fast, slow, stalled or killed.
 */
final class LoopbackServer implements AutoCloseable {

    enum Behaviour {
        /** Echoes every byte; FIN answered with FIN. */
        ECHO,
        /** Echoes every byte except the one at stream offset {@code param}, which it changes (a clone that diverges). */
        ECHO_ALTERED,
        /** Reads all; on FIN answers with the 12-byte summary (length, CRC32C) of what it got. */
        SUMMARY,
        /** Reads all and answers each read with a few bytes that must never reach a client. */
        CLONE_CHATTER,
        /** Reads at most {@code param} bytes per second. */
        SLOW,
        /** Accepts, then never reads. */
        STALL,
        /** Resets the connection after {@code param} bytes. */
        CRASH,
        /**
         * Echoes every byte, the first connection's {@code param} ms late (a clone slow on one
         * request); each connection's first bytes are added to {@link #answered} as it answers them.
         */
        ECHO_FIRST_LATE
    }

    /** What one connection delivered. Written by its server thread, read by the test after {@link #done}. */
    static final class Received {
        private final CRC32C crc = new CRC32C();
        private final byte[] head = new byte[16];
        volatile long bytes;
        volatile boolean sawFin;
        volatile boolean done;

        synchronized void add(byte[] b, int n) {
            for (int i = 0; i < n && bytes + i < head.length; i++) {
                head[(int) bytes + i] = b[i];
            }
            crc.update(b, 0, n);
            bytes += n;
        }

        synchronized long crc() {
            return crc.getValue();
        }

        synchronized String id() {
            return new String(head, 0, (int) Math.min(bytes, head.length), StandardCharsets.US_ASCII);
        }
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final long param;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-server");
        t.setDaemon(true);
        return t;
    });
    final List<Received> connections = new CopyOnWriteArrayList<>();
    /** {@link Behaviour#ECHO_FIRST_LATE}: each connection's first bytes, in the order they were answered. */
    final List<String> answered = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    LoopbackServer(Behaviour behaviour, long param) throws IOException {
        this.behaviour = behaviour;
        this.param = param;
        this.server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    HostPort address() {
        return new HostPort("127.0.0.1", server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Received r = new Received();
                connections.add(r);
                threads.execute(() -> serve(s, r));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s, Received r) {
        byte[] buf = new byte[64 * 1024];
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            if (behaviour == Behaviour.STALL) {
                while (!server.isClosed()) {
                    Thread.sleep(50);
                }
                return;
            }
            long start = System.nanoTime();
            int n;
            while ((n = in.read(buf, 0, behaviour == Behaviour.SLOW ? (int) Math.min(buf.length, Math.max(1, param / 20)) : buf.length)) > 0) {
                r.add(buf, n);
                switch (behaviour) {
                    case ECHO -> out.write(buf, 0, n);
                    case ECHO_ALTERED -> {
                        long first = r.bytes - n;
                        if (param >= first && param < r.bytes) {
                            buf[(int) (param - first)] ^= 0x20;
                        }
                        out.write(buf, 0, n);
                    }
                    case CLONE_CHATTER -> out.write("CLONE!".getBytes(StandardCharsets.US_ASCII));
                    case ECHO_FIRST_LATE -> {
                        if (r.bytes == n) {
                            if (connections.get(0) == r) {
                                Thread.sleep(param);
                            }
                            answered.add(r.id());
                        }
                        out.write(buf, 0, n);
                    }
                    case SLOW -> {
                        long dueNanos = (long) (r.bytes * 1e9 / param);
                        long sleep = dueNanos - (System.nanoTime() - start);
                        if (sleep > 0) {
                            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                        }
                    }
                    case CRASH -> {
                        if (r.bytes >= param) {
                            s.setSoLinger(true, 0); // RST, as a killed process' socket would
                            return;
                        }
                    }
                    default -> {
                    }
                }
            }
            r.sawFin = n < 0;
            if (behaviour == Behaviour.SUMMARY) {
                out.write(ByteBuffer.allocate(12).putLong(r.bytes).putInt((int) r.crc()).array());
            }
            s.shutdownOutput();
            // wait for the peer's close so the connection ends the way clients end it
            while (in.read(buf) > 0) {
                // nothing more is expected
            }
        } catch (IOException | InterruptedException e) {
            // the peer went away; recorded as not done
        } finally {
            r.done = true;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        threads.shutdownNow();
    }
}
