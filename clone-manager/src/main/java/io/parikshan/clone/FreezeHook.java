package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A CRIU action script and its two FIFOs, through which CRIU asks the clone manager to freeze
 * production at CRIU's {@code pre-dump} action (runc and CRIU started, nothing seized yet)
 * and waits for the answer. The script fails the dump, before anything is seized, when the
 * answer is not "frozen" or the clone manager died.
 */
final class FreezeHook implements AutoCloseable {

    /**
     * CRIU runs the script for every action; only pre-dump does anything, and dash starts
     * fastest for the others, which run while production is frozen. Both FIFOs are opened
     * read-write so that neither side blocks on open. The dump may be started well before the
     * freeze (while production's files are pre-copied), so the script waits as long as the
     * clone manager (its pid is written in) lives, at most 30 minutes.
     */
    static final String SCRIPT = """
            #!/bin/sh
            # Parikshan: freeze production only once runc and CRIU are ready (see FreezeHook).
            [ "$CRTOOLS_SCRIPT_ACTION" = pre-dump ] || exit 0
            exec /bin/bash -c '
              exec 3<>"$1" 4<>"$2"
              echo ready >&3
              for ((i = 0; i < 1800; i++)); do
                if read -r -t 1 -u 4 answer; then [[ $answer == frozen ]]; exit; fi
                kill -0 "$3" 2>/dev/null || exit 1
              done
              exit 1' \
              hook "$(dirname "$0")/freeze-ready.fifo" "$(dirname "$0")/freeze-done.fifo" MANAGER_PID
            """;

    private final Path script;
    private final FileChannel asks;
    private final FileChannel answers;
    private final CompletableFuture<String> asked;

    private FreezeHook(Path script, FileChannel asks, FileChannel answers) {
        this.script = script;
        this.asks = asks;
        this.answers = answers;
        this.asked = CompletableFuture.supplyAsync(() -> readLine(asks), FreezeHook::daemon);
    }

    /** Writes the script and its FIFOs into {@code dir} (owner-only) and starts listening. */
    static FreezeHook create(Path dir) {
        Path script = dir.resolve("freeze-hook.sh");
        Path ready = dir.resolve("freeze-ready.fifo");
        Path done = dir.resolve("freeze-done.fifo");
        try {
            Files.deleteIfExists(ready);
            Files.deleteIfExists(done);
            Files.writeString(script, SCRIPT.replace("MANAGER_PID", Long.toString(ProcessHandle.current().pid())));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new ParikshanException("cannot write the freeze hook " + script + ": " + e.getMessage());
        }
        HostCommand.check(List.of("mkfifo", "-m", "600", ready.toString(), done.toString()), Map.of(),
                Duration.ofSeconds(30), "making the freeze hook's FIFOs in " + dir);
        FileChannel asks = null;
        try {
            asks = FileChannel.open(ready, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new FreezeHook(script, asks, FileChannel.open(done, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            closeQuietly(asks);
            throw new ParikshanException("cannot open the freeze hook's FIFOs in " + dir + ": " + e.getMessage());
        }
    }

    /** The action script, for CRIU's {@code action-script} option. */
    Path script() {
        return script;
    }

    /** Completes when the script asks for the freeze. */
    CompletableFuture<String> asked() {
        return asked;
    }

    /** Lets CRIU go on (frozen) or makes the script fail the dump (not frozen). */
    void answer(boolean frozen) {
        try {
            answers.write(ByteBuffer.wrap((frozen ? "frozen\n" : "failed\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new ParikshanException("cannot answer the freeze hook: " + e.getMessage());
        }
    }

    /** Stops listening (a blocked read ends); the files stay for the logs' sake. */
    @Override
    public void close() {
        closeQuietly(asks);
        closeQuietly(answers);
    }

    private static String readLine(FileChannel in) {
        ByteBuffer buf = ByteBuffer.allocate(64);
        try {
            while (buf.hasRemaining() && in.read(buf) >= 0) {
                for (int i = 0; i < buf.position(); i++) {
                    if (buf.get(i) == '\n') {
                        return new String(buf.array(), 0, i, StandardCharsets.US_ASCII);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("the freeze hook sent no line");
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a FIFO: nothing left to do
            }
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "parikshan-freeze-hook");
        t.setDaemon(true);
        t.start();
    }
}
