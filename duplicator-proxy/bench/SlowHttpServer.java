import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A deliberately slow copy of the benchmark backend: HTTP/1.1 keep-alive, answers every request
 * with the same small body after DELAY_MS. Run: java SlowHttpServer.java PORT DELAY_MS BODY_FILE
 * Loopback only. Used as the "10x slower clone" (and nginx's slow mirror target) by run.sh.
 */
public final class SlowHttpServer {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        long delayMillis = Long.parseLong(args[1]);
        byte[] body = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(args[2]));
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + body.length
                + "\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress())) {
            while (true) {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s, delayMillis, head, body), "slow-conn");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve(Socket s, long delayMillis, byte[] head, byte[] body) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            int matched = 0;
            int b;
            while ((b = in.read()) >= 0) {
                // end of a request's headers (GET only: no body)
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
                if (matched == 4) {
                    matched = 0;
                    Thread.sleep(delayMillis);
                    out.write(head);
                    out.write(body);
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // client went away
        }
    }
}
