package io.parikshan.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Steady client load from real curl processes against an HTTP key-value address, checking every
 * answer: each writer stores {@code v-W-N} under {@code k-W-N} on a new connection and reads it
 * back; a keep-alive reader asks {@code /count} over one long connection. Anything but the right
 * answer is recorded as a failure with its detail.
 */
final class CurlLoad implements AutoCloseable {

    private static final String WRITER = """
            w=$1; port=$2; stop=$3; out=$4; ok=0; fail=0; n=0
            while [ ! -e "$stop" ]; do
              n=$((n+1)); v="v-$w-$n"; url="http://127.0.0.1:$port/kv/k-$w-$n"
              if ! err=$(curl -sS -f --max-time 10 -X PUT --data "$v" -o /dev/null "$url" 2>&1); then
                fail=$((fail+1)); echo "PUT k-$w-$n: $err" >> "$out.failures"; continue
              fi
              got=$(curl -sS -f --max-time 10 "$url" 2>&1)
              if [ "$got" = "$v" ]; then ok=$((ok+1)); else fail=$((fail+1)); echo "GET k-$w-$n: $got" >> "$out.failures"; fi
              sleep 0.02
            done
            echo "$ok $fail" > "$out"
            """;

    private final Path dir;
    private final Path stop;
    private final List<Process> writers = new ArrayList<>();
    private final Process keepAlive;
    private final int writerCount;

    private CurlLoad(Path dir, int port, int writerCount) throws IOException {
        this.dir = dir;
        this.stop = dir.resolve("stop");
        this.writerCount = writerCount;
        Path script = dir.resolve("writer.sh");
        Files.writeString(script, WRITER);
        for (int w = 0; w < writerCount; w++) {
            writers.add(new ProcessBuilder("bash", script.toString(), Integer.toString(w), Integer.toString(port),
                    stop.toString(), dir.resolve("writer-" + w).toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("writer-" + w + ".log").toFile()).start());
        }
        StringBuilder cfg = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            cfg.append("url = \"http://127.0.0.1:").append(port).append("/count\"\noutput = \"/dev/null\"\n");
        }
        Files.writeString(dir.resolve("keepalive.cfg"), cfg);
        // the write-out goes to stderr, which curl does not buffer: the process ends by a signal
        keepAlive = new ProcessBuilder("curl", "-sS", "--rate", "20/s", "-w", "%{stderr}%{http_code} %{num_connects}\\n",
                "-K", dir.resolve("keepalive.cfg").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("keepalive.err").toFile()).start();
    }

    /** Starts {@code writers} checking writers and one keep-alive reader against 127.0.0.1:port. */
    static CurlLoad start(Path dir, int port, int writers) throws IOException {
        Files.createDirectories(dir);
        return new CurlLoad(dir, port, writers);
    }

    /** What the clients saw. */
    record Outcome(long ok, long failed, List<String> failures, long keepAliveAnswers, long keepAliveConnects) {
    }

    /** Stops the clients and gathers what they saw. */
    Outcome stop() throws IOException, InterruptedException {
        Files.writeString(stop, "");
        for (Process p : writers) {
            p.waitFor(60, TimeUnit.SECONDS);
        }
        keepAlive.destroy(); // SIGTERM: curl stops between transfers or in one; the answers so far are in
        keepAlive.waitFor(10, TimeUnit.SECONDS);
        long ok = 0;
        long failed = 0;
        List<String> failures = new ArrayList<>();
        for (int w = 0; w < writerCount; w++) {
            Path r = dir.resolve("writer-" + w);
            if (!Files.exists(r)) {
                failures.add("writer " + w + " did not finish: " + Files.readString(dir.resolve("writer-" + w + ".log")));
                continue;
            }
            String[] f = Files.readString(r).strip().split(" ");
            ok += Long.parseLong(f[0]);
            failed += Long.parseLong(f[1]);
            Path fl = dir.resolve("writer-" + w + ".failures");
            if (Files.exists(fl)) {
                failures.addAll(Files.readAllLines(fl));
            }
        }
        long answers = 0;
        long connects = 0;
        for (String line : Files.readAllLines(dir.resolve("keepalive.err"), StandardCharsets.UTF_8)) {
            String[] f = line.strip().split(" ");
            if (f.length == 2 && f[0].equals("200")) {
                answers++;
                connects += Long.parseLong(f[1]);
            } else if (!line.isBlank()) {
                failed++;
                failures.add("keep-alive /count: " + line);
            }
        }
        return new Outcome(ok, failed, failures, answers, connects);
    }

    @Override
    public void close() {
        writers.forEach(Process::destroyForcibly);
        keepAlive.destroyForcibly();
    }
}
