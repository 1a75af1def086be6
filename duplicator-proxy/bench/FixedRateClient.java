import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * HTTP/1.1 keep-alive load at a fixed rate: CONNS connections, RATE requests per second in all,
 * taken in turn (connection i sends at t0 + (i + k * CONNS) / RATE), for SECONDS. Every path
 * measured with it sees the same request rate and the same gap between two requests of one
 * connection, so CPU per request compares like with like (a closed-loop client like wrk gives a
 * slower path longer gaps, and TCP's delayed-ACK and quick-ACK work per request depends on them).
 * A connection still waiting for its previous answer when its turn comes sends right after that
 * answer (counted as late); latency is measured from the scheduled time.
 *
 * <p>Run: java FixedRateClient.java PORT CONNS RATE SECONDS. Prints one line:
 * {@code sent N answered N bad N late N rps R p50_ms X p99_ms Y}. Loopback only.
 */
public final class FixedRateClient {

    private static final class Conn {
        final SocketChannel ch;
        boolean connected;
        boolean busy;
        long scheduledNanos;
        /** A turn that came while busy: its scheduled time. */
        long owedNanos;
        final ByteBuffer in = ByteBuffer.allocate(8192);
        ByteBuffer out;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }
    }

    private static byte[] request;
    private static long[] latencies = new long[1 << 20];
    private static int answered;
    private static int bad;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        double rate = Double.parseDouble(args[2]);
        long seconds = Long.parseLong(args[3]);
        request = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        Selector selector = Selector.open();
        Conn[] conns = new Conn[count];
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            conns[i] = new Conn(ch);
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            ch.register(selector, SelectionKey.OP_CONNECT, conns[i]);
            if (i % 32 == 31) {
                selector.selectNow();
                handle(selector);
            }
        }
        long connectDeadline = System.nanoTime() + 30_000_000_000L;
        while (Arrays.stream(conns).anyMatch(c -> !c.connected) && System.nanoTime() < connectDeadline) {
            selector.select(100);
            handle(selector);
        }
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        double nanosPerRequest = 1e9 / rate;
        long n = 0;
        int sent = 0;
        int late = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long due;
            while ((due = t0 + (long) (n * nanosPerRequest)) <= now) {
                Conn c = conns[(int) (n % count)];
                n++;
                if (!c.connected) {
                    continue;
                }
                if (c.busy) {
                    if (c.owedNanos == 0) {
                        c.owedNanos = due;
                        late++;
                    }
                    continue;
                }
                send(c, due, selector);
                sent++;
            }
            long waitMillis = Math.max(1, (due - now) / 1_000_000L);
            selector.select(waitMillis);
            sent += handle(selector);
        }
        // answers still on their way
        long drain = System.nanoTime() + 5_000_000_000L;
        while (answered + bad < sent && System.nanoTime() < drain) {
            selector.select(100);
            sent += handle(selector);
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long[] l = Arrays.copyOf(latencies, Math.min(answered, latencies.length));
        Arrays.sort(l);
        System.out.printf("sent %d answered %d bad %d late %d rps %.0f p50_ms %.2f p99_ms %.2f%n", sent, answered, bad + (sent - answered - bad),
                late, answered / elapsed, pct(l, 50) / 1e6, pct(l, 99) / 1e6);
        for (Conn c : conns) {
            c.ch.close();
        }
    }

    private static void send(Conn c, long scheduledNanos, Selector selector) throws IOException {
        c.busy = true;
        c.scheduledNanos = scheduledNanos;
        c.out = ByteBuffer.wrap(request);
        c.ch.write(c.out);
        c.ch.keyFor(selector).interestOps(c.out.hasRemaining() ? SelectionKey.OP_WRITE | SelectionKey.OP_READ : SelectionKey.OP_READ);
    }

    /** @return requests sent for owed turns */
    private static int handle(Selector selector) throws IOException {
        int sent = 0;
        for (SelectionKey k : selector.selectedKeys()) {
            Conn c = (Conn) k.attachment();
            try {
                if (k.isConnectable()) {
                    c.ch.finishConnect();
                    c.connected = true;
                    k.interestOps(SelectionKey.OP_READ);
                    continue;
                }
                if (k.isWritable() && c.out.hasRemaining()) {
                    c.ch.write(c.out);
                    if (!c.out.hasRemaining()) {
                        k.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (k.isReadable()) {
                    if (c.ch.read(c.in) < 0) {
                        throw new IOException("closed by the server");
                    }
                    int whole = answerLength(c.in);
                    if (whole > 0) {
                        long now = System.nanoTime();
                        if (startsWith200(c.in)) {
                            if (answered < latencies.length) {
                                latencies[answered] = now - c.scheduledNanos;
                            }
                            answered++;
                        } else {
                            bad++;
                        }
                        // keep what follows the answer (there should be nothing: one request at a time)
                        c.in.flip().position(whole);
                        c.in.compact();
                        c.busy = false;
                        if (c.owedNanos != 0) {
                            long owed = c.owedNanos;
                            c.owedNanos = 0;
                            send(c, owed, selector);
                            sent++;
                        }
                    }
                }
            } catch (IOException e) {
                if (c.busy) {
                    bad++;
                }
                c.connected = false;
                c.busy = false;
                k.cancel();
                c.ch.close();
            }
        }
        selector.selectedKeys().clear();
        return sent;
    }

    private static long pct(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }

    /** The length of the whole answer at the buffer's start (headers and Content-Length body), or 0. */
    private static int answerLength(ByteBuffer in) {
        String s = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) {
            return 0;
        }
        int i = s.toLowerCase().indexOf("content-length:");
        int len = i < 0 || i > end ? 0 : Integer.parseInt(s.substring(i + 15, s.indexOf("\r\n", i)).strip());
        return in.position() >= end + 4 + len ? end + 4 + len : 0;
    }

    private static boolean startsWith200(ByteBuffer in) {
        return new String(in.array(), 0, Math.min(12, in.position()), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200");
    }
}
