import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * A deliberately slow copy of the benchmark backend: HTTP/1.1 keep-alive, answers every request
 * with the same small body DELAY_MS after it came (requests queued on one connection are
 * answered one DELAY_MS apart, in order). Run: java SlowHttpServer.java PORT DELAY_MS BODY_FILE [RCVBUF]
 * Loopback only. With RCVBUF (bytes) it reads a connection's next request only once it answered
 * the previous one, as a server busy with each request does, and its sockets' receive buffers are
 * that small: what it has not read waits in the sender's buffers (the proxy's clone budget). Used as the "10x slower clone" (and nginx's slow mirror target) by run.sh.
 * Every request must start with "GET ": one that does not (a stream with a hole in it) is
 * logged as "malformed request" on standard error, with how many so far.
 *
 * <p>One thread with a selector and a queue of due answers: slow in answering, cheap in CPU and
 * memory at thousands of connections (a thread per connection would make the slow copy itself
 * a CPU and scheduler load on the host's cores, which is not what the benchmark asks about).
 */
public final class SlowHttpServer {

    /** One connection: where its header parse stands, when its last answer is due, what is left to write. */
    private static final class Conn {
        final SocketChannel ch;
        int matched;
        /** Bytes of the current request seen so far (its start is checked). */
        int sinceStart;
        long lastDueNanos;
        ByteBuffer unwritten;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }
    }

    private record Due(long nanos, Conn conn) {
    }

    private static final byte[] GET = "GET ".getBytes(StandardCharsets.US_ASCII);
    private static long malformed;

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        long delayNanos = Long.parseLong(args[1]) * 1_000_000L;
        int rcvbuf = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        boolean oneAtATime = rcvbuf > 0;
        byte[] body = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(args[2]));
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + body.length
                + "\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] answer = new byte[head.length + body.length];
        System.arraycopy(head, 0, answer, 0, head.length);
        System.arraycopy(body, 0, answer, head.length, body.length);

        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        if (rcvbuf > 0) {
            server.setOption(StandardSocketOptions.SO_RCVBUF, rcvbuf); // inherited by accepted sockets
        }
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        PriorityQueue<Due> due = new PriorityQueue<>((a, b) -> Long.compare(a.nanos(), b.nanos()));
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        while (true) {
            long now = System.nanoTime();
            Due next;
            while ((next = due.peek()) != null && next.nanos() - now <= 0) {
                due.poll();
                answer(next.conn(), answer, selector);
                if (oneAtATime && next.conn().ch.isOpen() && next.conn().unwritten == null) {
                    next.conn().ch.keyFor(selector).interestOps(SelectionKey.OP_READ); // answered: the next request
                }
            }
            long waitMillis = next == null ? 0 : Math.max(1, (next.nanos() - now) / 1_000_000L);
            selector.select(waitMillis);
            for (SelectionKey k : selector.selectedKeys()) {
                if (!k.isValid()) {
                    continue;
                }
                if (k.isAcceptable()) {
                    SocketChannel ch;
                    while ((ch = server.accept()) != null) {
                        ch.configureBlocking(false);
                        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        ch.register(selector, SelectionKey.OP_READ, new Conn(ch));
                    }
                    continue;
                }
                Conn c = (Conn) k.attachment();
                if (k.isWritable() && c.unwritten != null) {
                    flush(c, k);
                }
                if (k.isValid() && k.isReadable()) {
                    in.clear();
                    if (oneAtATime) {
                        in.limit(64); // about one request: the rest waits in the socket until this one is answered
                    }
                    int n;
                    try {
                        n = c.ch.read(in);
                    } catch (IOException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        k.cancel();
                        c.ch.close();
                        continue;
                    }
                    long t = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        byte b = in.get(i);
                        if (c.sinceStart >= 0 && c.sinceStart < GET.length && b != GET[c.sinceStart]) {
                            System.err.println("malformed request on " + c.ch.getRemoteAddress() + " (" + ++malformed + " so far)");
                            c.sinceStart = -1; // once per request
                        }
                        if (c.sinceStart >= 0) {
                            c.sinceStart++;
                        }
                        // end of a request's headers (GET only: no body)
                        c.matched = (b == '\r' && (c.matched == 0 || c.matched == 2)) || (b == '\n' && (c.matched == 1 || c.matched == 3)) ? c.matched + 1 : 0;
                        if (c.matched == 4) {
                            c.matched = 0;
                            c.sinceStart = 0;
                            c.lastDueNanos = Math.max(t, c.lastDueNanos) + delayNanos;
                            due.add(new Due(c.lastDueNanos, c));
                            if (oneAtATime) {
                                k.interestOps(0); // busy with this request until it is answered
                            }
                        }
                    }
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private static void answer(Conn c, byte[] answer, Selector selector) throws IOException {
        if (!c.ch.isOpen()) {
            return;
        }
        if (c.unwritten != null) { // still writing an earlier answer: append
            ByteBuffer more = ByteBuffer.allocate(c.unwritten.remaining() + answer.length);
            more.put(c.unwritten).put(answer).flip();
            c.unwritten = more;
            return;
        }
        ByteBuffer out = ByteBuffer.wrap(answer);
        try {
            c.ch.write(out);
        } catch (IOException e) {
            c.ch.close();
            return;
        }
        if (out.hasRemaining()) {
            c.unwritten = ByteBuffer.allocate(out.remaining()).put(out).flip();
            c.ch.keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private static void flush(Conn c, SelectionKey k) throws IOException {
        try {
            c.ch.write(c.unwritten);
        } catch (IOException e) {
            k.cancel();
            c.ch.close();
            return;
        }
        if (!c.unwritten.hasRemaining()) {
            c.unwritten = null;
            k.interestOps(SelectionKey.OP_READ);
        }
    }
}
