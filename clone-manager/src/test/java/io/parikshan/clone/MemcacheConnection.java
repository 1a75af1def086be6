package io.parikshan.clone;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** One connection speaking memcached's text protocol (set, get, stats). */
final class MemcacheConnection implements AutoCloseable {

    private final Socket socket = new Socket();
    private final BufferedReader in;
    private final OutputStream out;

    MemcacheConnection(String host, int port) throws IOException {
        socket.connect(new InetSocketAddress(host, port), 3000);
        socket.setSoTimeout(5000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = socket.getOutputStream();
    }

    void set(String key, String value) throws IOException {
        byte[] data = value.getBytes(StandardCharsets.US_ASCII);
        write("set " + key + " 0 0 " + data.length + "\r\n" + value + "\r\n");
        expect("STORED");
    }

    Optional<String> get(String key) throws IOException {
        write("get " + key + "\r\n");
        String line = in.readLine();
        if ("END".equals(line)) {
            return Optional.empty();
        }
        if (line == null || !line.startsWith("VALUE " + key + " ")) {
            throw new IOException("unexpected answer to get " + key + ": " + line);
        }
        String value = in.readLine();
        expect("END");
        return Optional.of(value);
    }

    /** A figure of "stats", e.g. curr_items. */
    long stat(String name) throws IOException {
        write("stats\r\n");
        long found = -1;
        for (String line; !"END".equals(line = in.readLine()); ) {
            if (line == null) {
                throw new IOException("connection closed during stats");
            }
            String[] f = line.split(" ");
            if (f.length == 3 && f[1].equals(name)) {
                found = Long.parseLong(f[2]);
            }
        }
        return found;
    }

    private void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void expect(String answer) throws IOException {
        String line = in.readLine();
        if (!answer.equals(line)) {
            throw new IOException("expected " + answer + ", got " + line);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
