import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opens COUNT HTTP/1.1 connections at once (all connects issued before any completes), sends one
 * GET on each, checks each answer is a 200 with its whole body, then holds them all open for
 * HOLD_SECONDS. Prints one line of figures, then "holding N" while it holds (a script samples the
 * proxy's memory then), then closes them. Loopback only.
 *
 * <p>Run: java ConnectionBurst.java PORT[,PORT...] COUNT HOLD_SECONDS (connections go round-robin
 * over the ports). A connect that takes a second or more had its SYN dropped and retried: that is
 * what a too-short listen backlog does to a burst.
 */
public final class ConnectionBurst {

    private static final class Conn {
        final SocketChannel ch;
        final long startNanos = System.nanoTime();
        long connectedNanos;
        long answeredNanos;
        final ByteBuffer in = ByteBuffer.allocate(4096);
        ByteBuffer out;
        boolean failed;
        boolean done;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }
    }

    public static void main(String[] args) throws Exception {
        int[] ports = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        int count = Integer.parseInt(args[1]);
        int holdSeconds = Integer.parseInt(args[2]);
        Selector selector = Selector.open();
        List<Conn> conns = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            Conn c = new Conn(ch);
            conns.add(c);
            int port = ports[i % ports.length];
            byte[] req = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            c.out = ByteBuffer.wrap(req);
            try {
                if (ch.connect(new InetSocketAddress("127.0.0.1", port))) {
                    c.connectedNanos = System.nanoTime();
                    ch.register(selector, SelectionKey.OP_WRITE, c);
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, c);
                }
            } catch (IOException e) {
                c.failed = true;
                ch.close();
            }
            if (i % 32 == 31) {
                // completions are timed as they come, not after the last connect was issued
                selector.selectNow();
                handle(selector, null);
            }
        }
        int[] pending = {(int) conns.stream().filter(c -> !c.failed).count()};
        long deadline = start + 30_000_000_000L;
        while (pending[0] > 0 && System.nanoTime() < deadline) {
            selector.select(1000);
            handle(selector, pending);
        }
        long[] connectMs = conns.stream().filter(c -> c.connectedNanos > 0).mapToLong(c -> (c.connectedNanos - c.startNanos) / 1_000_000).sorted().toArray();
        long retried = Arrays.stream(connectMs).filter(ms -> ms >= 900).count();
        long answered = conns.stream().filter(c -> c.answeredNanos > 0 && !c.failed).count();
        long lastAnswerMs = conns.stream().mapToLong(c -> c.answeredNanos > 0 ? (c.answeredNanos - start) / 1_000_000 : 0).max().orElse(0);
        System.out.printf("connections %d connected %d failed %d answered-200 %d syn-retried(connect>=0.9s) %d connect-ms p50 %d p99 %d max %d all-answered-after-ms %d%n",
                count, connectMs.length, count - answered, answered, retried,
                pct(connectMs, 50), pct(connectMs, 99), connectMs.length == 0 ? 0 : connectMs[connectMs.length - 1], lastAnswerMs);
        if (holdSeconds > 0) {
            System.out.println("holding " + conns.stream().filter(c -> c.ch.isOpen()).count());
            System.out.flush();
            Thread.sleep(holdSeconds * 1000L);
        }
        for (Conn c : conns) {
            c.ch.close();
        }
    }

    /** Moves each ready connection on: connected, request sent, answer read (then counted in {@code pending}). */
    private static void handle(Selector selector, int[] pending) throws IOException {
        for (SelectionKey k : selector.selectedKeys()) {
            Conn c = (Conn) k.attachment();
            try {
                if (k.isConnectable()) {
                    c.ch.finishConnect();
                    c.connectedNanos = System.nanoTime();
                    k.interestOps(SelectionKey.OP_WRITE);
                } else if (k.isWritable()) {
                    c.ch.write(c.out);
                    if (!c.out.hasRemaining()) {
                        k.interestOps(SelectionKey.OP_READ);
                    }
                } else if (k.isReadable()) {
                    if (c.ch.read(c.in) < 0 || complete(c.in)) {
                        c.answeredNanos = System.nanoTime();
                        c.failed = !complete(c.in) || !startsWith200(c.in);
                        k.interestOps(0);
                        c.done = true;
                    }
                }
            } catch (IOException e) {
                c.failed = true;
                c.done = true;
                k.cancel();
                c.ch.close();
            }
        }
        selector.selectedKeys().clear();
        if (pending != null) {
            pending[0] = 0;
            for (SelectionKey k : selector.keys()) {
                if (k.isValid() && !((Conn) k.attachment()).done) {
                    pending[0]++;
                }
            }
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }

    /** Headers ended and Content-Length bytes of body are in. */
    private static boolean complete(ByteBuffer in) {
        String s = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        int i = s.toLowerCase().indexOf("content-length:");
        if (i < 0 || i > end) {
            return true;
        }
        int len = Integer.parseInt(s.substring(i + 15, s.indexOf("\r\n", i)).strip());
        return in.position() >= end + 4 + len;
    }

    private static boolean startsWith200(ByteBuffer in) {
        return new String(in.array(), 0, Math.min(12, in.position()), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200");
    }
}
