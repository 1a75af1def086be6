package io.parikshan.proxy.it;

import io.parikshan.proxy.HostPort;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;

/** A real TCP client: sends a stream, half-closes, reads the whole answer. */
final class LoopbackClient {

    /** The answer a client got, and the summary of what it sent. */
    record Exchange(long sentBytes, long sentCrc, byte[] answer) {
    }

    private LoopbackClient() {
    }

    /** Sends {@code payload} (with FIN after it) and returns all answer bytes up to the server's FIN. */
    static Exchange send(HostPort to, byte[] payload) throws IOException {
        return stream(to, payload, 1);
    }

    /** Sends {@code block} {@code repeats} times, then FIN; the answer is kept whole (keep it small for big streams). */
    static Exchange stream(HostPort to, byte[] block, long repeats) throws IOException {
        return stream(to, block, repeats, written -> { });
    }

    /**
     * As {@link #stream(HostPort, byte[], long)}, calling {@code afterBlock} on the writing thread with
     * the bytes written so far after each block, so a test can pace the client (wait for a clone).
     */
    static Exchange stream(HostPort to, byte[] block, long repeats, LongConsumer afterBlock) throws IOException {
        try (Socket s = new Socket(to.host(), to.port())) {
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            CRC32C crc = new CRC32C();
            CompletableFuture<Void> writer = new CompletableFuture<>();
            Thread writing = new Thread(() -> {
                try {
                    for (long i = 0; i < repeats; i++) {
                        out.write(block);
                        afterBlock.accept((i + 1) * block.length);
                    }
                    s.shutdownOutput();
                    writer.complete(null);
                } catch (IOException | RuntimeException e) {
                    writer.completeExceptionally(e);
                }
            }, "loopback-client-writer");
            writing.setDaemon(true);
            writing.start();
            for (long i = 0; i < repeats; i++) {
                crc.update(block);
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                answer.write(buf, 0, n);
            }
            writer.join();
            return new Exchange(block.length * repeats, crc.getValue(), answer.toByteArray());
        }
    }
}
