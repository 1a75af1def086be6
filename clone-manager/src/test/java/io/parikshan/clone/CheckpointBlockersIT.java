package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inspector and the log reader on a real process that holds an io_uring (set up and its
 * rings mapped, as liburing does), in the host's real /proc; and CRIU's own refusal of it.
 */
class CheckpointBlockersIT {

    private static final String PROGRAM = """
            #include <linux/io_uring.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <sys/syscall.h>
            #include <unistd.h>

            int main(void) {
                struct io_uring_params p;
                memset(&p, 0, sizeof p);
                int fd = (int) syscall(__NR_io_uring_setup, 4, &p);
                if (fd < 0) { perror("io_uring_setup"); return 1; }
                size_t size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
                if (mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING) == MAP_FAILED) {
                    perror("mmap"); return 1;
                }
                printf("%d\\n", fd);
                fflush(stdout);
                pause();
                return 0;
            }
            """;

    @TempDir
    Path tmp;

    private Process holder;

    @AfterEach
    void stop() throws Exception {
        if (holder != null) {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProcessHoldingAnIoUringIsNamedWithItsFdBeforeAnyFreeze() throws Exception {
        int fd = startHolder();

        List<CheckpointBlockers.Blocker> found = new CheckpointBlockers(CheckpointBlockers.PROC).inspect(holder.pid());

        assertThat(found).extracting(CheckpointBlockers.Blocker::line).containsExactly("io-uring-holder (pid " + holder.pid()
                + ") holds an io_uring instance (fd " + fd + "), which CRIU cannot checkpoint; start it without io_uring");
    }

    @Test
    void criusOwnRefusalOfItReadsAsIoUring() throws Exception {
        startHolder();
        Path criu = Path.of("/usr/local/sbin/criu");
        if (!Files.isExecutable(criu)) {
            skip("no CRIU at " + criu + " (install it with deploy/host/setup.sh)");
        }
        Path images = Files.createDirectories(tmp.resolve("images"));
        Process dump = new ProcessBuilder(criu.toString(), "dump", "-t", Long.toString(holder.pid()), "-D", images.toString(),
                "--leave-running", "-o", "dump.log", "-v4").redirectErrorStream(true).redirectOutput(tmp.resolve("criu.out").toFile()).start();
        assertThat(dump.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(dump.exitValue()).isNotZero();

        CriuLog.Diagnosis d = CriuLog.diagnose(images.resolve("dump.log")).orElseThrow();

        assertThat(d.criuMessage()).isEqualTo("Unknown shit 600 (anon_inode:[io_uring])");
        assertThat(d.summary()).startsWith("a process uses io_uring");
        assertThat(holder.isAlive()).isTrue(); // --leave-running: a failed dump lets it go on
    }

    /** Compiles and starts the holder; returns its io_uring fd once it has set up the ring. */
    private int startHolder() throws Exception {
        if (ProcessHandle.current().info().user().map(u -> !u.equals("root")).orElse(true)) {
            skip("must run as root to read another process's fds and maps");
        }
        Path source = Files.writeString(tmp.resolve("io-uring-holder.c"), PROGRAM);
        Path binary = tmp.resolve("io-uring-holder");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-o", binary.toString(), source.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException noGcc) {
            skip("gcc is missing (apt-get install gcc): " + noGcc.getMessage());
            return -1;
        }
        String compiled = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as(compiled).isZero();

        holder = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.matches("[0-9]+")) {
            skip("this kernel gives no io_uring (sysctl kernel.io_uring_disabled?): " + line);
        }
        return Integer.parseInt(line);
    }

    /** Skips the test, except under CI=true where what the host lacks is a failure. */
    private static void skip(String problem) {
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(problem + " (CI=true: required)");
        }
        Assumptions.abort(problem);
    }
}
