package io.parikshan.clone;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real command-line client (mariadb, redis-cli) kept running on one connection, fed over a
 * pipe as if typed: a production client whose connection stays open across a clone.
 */
final class HeldClient implements AutoCloseable {

    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    /** The client's command that prints its argument back, after which an answer is complete. */
    private final Function<String, String> echo;
    private int sent;

    private HeldClient(List<String> command, Function<String, String> echo) throws IOException {
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.echo = echo;
    }

    /** The mariadb CLI over TCP, tab-separated rows without headers, flushed after each statement. */
    static HeldClient mariadb(int port) throws IOException {
        return new HeldClient(List.of("mariadb", "-h", "127.0.0.1", "-P", Integer.toString(port), "-uapp", "-papp",
                "--skip-ssl", "--batch", "--skip-column-names", "--unbuffered", "test"), m -> "SELECT '" + m + "';");
    }

    /** redis-cli's prompt loop, which reads commands line by line from a pipe. */
    static HeldClient redis(int port) throws IOException {
        return new HeldClient(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)), m -> "ECHO " + m);
    }

    /** Sends one line (a statement or command) and returns the lines it answered. */
    List<String> send(String line) throws IOException {
        String marker = "end-of-answer-" + ++sent;
        in.write(line + "\n" + echo.apply(marker) + "\n");
        in.flush();
        List<String> answer = new ArrayList<>();
        for (String l; (l = out.readLine()) != null; ) {
            if (l.equals(marker)) {
                return answer;
            }
            answer.add(l);
        }
        throw new IOException("the client ended (connection lost?) after " + answer + " in answer to " + line);
    }

    /** The one line of a one-value answer. */
    String value(String line) throws IOException {
        List<String> a = send(line);
        if (a.size() != 1) {
            throw new IOException("expected one line in answer to " + line + ", got " + a);
        }
        return a.get(0);
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
