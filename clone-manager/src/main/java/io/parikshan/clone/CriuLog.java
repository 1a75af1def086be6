package io.parikshan.clone;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a CRIU log (runc's dump.log or restore.log in its work path) for the user: the error
 * that caused the failure, in the user's terms where the cause is known. The patterns match
 * the messages of CRIU 4.2.1 ({@code pr_err}/{@code pr_perror} in its criu/*.c), which print as
 * {@code (00.012345) Error (criu/file.c:123): prefix: text}.
 */
public final class CriuLog {

    private static final Pattern ERROR = Pattern.compile("Error \\(([^)]*)\\): (.*)");

    /**
     * Errors CRIU logs and goes on after (criu/util.c {@code rlimit_unlimit_nofile}: root
     * without CAP_SYS_RESOURCE here); never the cause of a failure.
     */
    private static final List<Pattern> HARMLESS = List.of(
            Pattern.compile("rlimit: Can't setup RLIMIT_NOFILE for self"));

    /** The first error line of a log and, when its cause is known, what it means and what to do. */
    public record Diagnosis(String errorLine, String criuMessage, Optional<String> meaning) {
        /** One line for the user: the meaning when known, else CRIU's own words. */
        public String summary() {
            return meaning.orElse("CRIU: " + criuMessage);
        }
    }

    private record Cause(Pattern pattern, Function<Matcher, String> meaning) {
        static Cause of(String regex, Function<Matcher, String> meaning) {
            return new Cause(Pattern.compile(regex), meaning);
        }
    }

    private static final String IO_URING_FIX = "start it without io_uring (MariaDB: --innodb-use-native-aio=0)";

    /** Known causes, each against the message CRIU prints (source file in the comment). */
    private static final List<Cause> CAUSES = List.of(
            // cr-dump.c dump_task_rlimits
            Cause.of("Can't get rlimit \\d+: Operation not permitted", m -> "a process in the container runs as a user "
                    + "other than root, and root on this host lacks CAP_SYS_RESOURCE, so CRIU cannot read its limits; "
                    + "run deploy/host/setup.sh (it installs a CRIU that reads the limits from /proc), "
                    + "or run the container's processes as root"),
            // file-lock.c dump_file_locks / note_file_lock
            Cause.of("Some file locks are hold by dumping tasks", m -> "a process holds file locks (flock, fcntl or a lease) "
                    + "and CRIU was not told to dump them; add the line file-locks to /etc/criu/runc.conf"),
            // proc_parse.c vma_get_mapfile: a mapping of an anonymous inode CRIU has no dumper for
            Cause.of("Unknown shit \\d+ \\(anon_inode:\\[io_uring\\]\\)", m -> "a process uses io_uring (its rings are "
                    + "mapped in memory), which CRIU cannot checkpoint; " + IO_URING_FIX),
            Cause.of("Unknown shit \\d+ \\((anon_inode:.*)\\)", m -> "a process has " + m.group(1)
                    + " mapped in memory, which CRIU cannot checkpoint; start it without that feature"),
            // files-ext.c dump_unsupp_fd, called from files.c dump_one_file
            Cause.of("Can't dump file (\\d+) of that type \\[\\d+\\] \\(anon anon_inode:\\[io_uring\\]\\)", m -> "a process "
                    + "holds an io_uring instance (fd " + m.group(1) + "), which CRIU cannot checkpoint; " + IO_URING_FIX),
            Cause.of("Can't dump file (\\d+) of that type \\[\\d+\\] \\((\\w+) (.*)\\)", m -> "a process holds fd "
                    + m.group(1) + " (" + m.group(3) + "), a kind of file CRIU cannot checkpoint; start it without it"),
            // pie/parasite.c: the kernel refuses to pass some files over a unix socket; io_uring is one (seen on kernel 6.18)
            Cause.of("send_fds failed \\(-22\\)", m -> "a process holds a file the kernel will not hand to CRIU, "
                    + "most likely an io_uring instance; " + IO_URING_FIX),
            // sk-inet.c dump_one_inet_fd
            Cause.of("Connected TCP socket, consider using --tcp-established", m -> "production has open TCP connections "
                    + "and /etc/criu/runc.conf lacks the line tcp-close; run deploy/host/setup.sh (it adds it)"),
            // files-reg.c dump_ghost_remap
            Cause.of("Can't dump ghost file (.*) of (\\d+) size, increase limit", m -> "a process keeps open the deleted file "
                    + m.group(1) + " (" + mib(m.group(2)) + "), larger than CRIU's limit for "
                    + "deleted-but-open files; close it in production, or raise the limit with a line "
                    + "'ghost-limit <bytes>' in /etc/criu/runc.conf"),
            // sk-unix.c dump_external_sockets
            Cause.of("Can't dump half of stream unix connection\\. name: (.*); peer name: (.*)", m -> "a process has a unix "
                    + "stream socket (" + m.group(1) + ") connected to a program outside the container (" + m.group(2)
                    + "); clone while nothing outside is connected (e.g. to a bind-mounted socket), or connect over TCP"),
            Cause.of("External socket is used\\.", m -> "a process has a unix socket connected to a program outside the "
                    + "container; clone while nothing outside is connected (e.g. to a bind-mounted socket), or connect over TCP"),
            Cause.of("Can't dump name-less external socket", m -> "a process has an unnamed unix socket connected to a "
                    + "program outside the container; clone while nothing outside is connected"),
            // namespaces.c generate_ns_id
            Cause.of("Can't dump nested (\\w+) namespace for (\\d+)", m -> "process " + m.group(2) + " runs in a "
                    + m.group(1) + " namespace nested in the container's, which CRIU cannot checkpoint; start it "
                    + "without creating one (unshare, a sandbox or container inside the container)"),
            // compel infect.c compel_wait_task
            Cause.of("Unseizable non-zombie (\\d+) found", m -> "CRIU could not stop process " + m.group(1)
                    + " (a debugger or tracer such as gdb or strace is attached?); detach it first"),
            // mount-v2.c: the restored mounts' propagation cannot be rebuilt under the clone's root
            Cause.of("Failed to copy sharing from", m -> "CRIU could not give the clone's mounts production's "
                    + "propagation (the clone's root must be a shared mount, as production's is); keep the log and report it"),
            // mount.c: a mount of production's that the restore was not given
            Cause.of("No mapping for (\\d+):(\\S+) mountpoint", m -> "production has a mount at " + m.group(2)
                    + " that the clone was not given (mounted into the running container after it started?); "
                    + "unmount it, or restart production with it as a declared volume"),
            Cause.of("Mount (\\d+):(\\S+) is autodetected external mount", m -> "production has a mount at " + m.group(2)
                    + " from outside the container that CRIU was not told about; keep the log and report it"));

    private CriuLog() {
    }

    private static String mib(String bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", Long.parseLong(bytes) / 1048576.0);
    }

    /** The error that made CRIU fail: the first error line with a known cause, else the first error line. */
    public static Optional<Diagnosis> diagnose(Path log) {
        List<ErrorLine> errors = errors(log);
        // CRIU logs the cause first, then each caller's "failed" on the way out
        for (ErrorLine e : errors) {
            for (Cause c : CAUSES) {
                Matcher m = c.pattern().matcher(e.message());
                if (m.find()) {
                    return Optional.of(new Diagnosis(e.line(), e.message(), Optional.of(c.meaning().apply(m))));
                }
            }
        }
        return errors.stream().findFirst().map(e -> new Diagnosis(e.line(), e.message(), Optional.empty()));
    }

    /** The log's first error line that is not one CRIU goes on after, as written. */
    public static Optional<String> firstError(Path log) {
        return errors(log).stream().findFirst().map(ErrorLine::line);
    }

    /**
     * Copies the log owner-only (it names production's files and addresses) to {@code dest},
     * e.g. {@link #keptLog}, where the clone's rollback does not delete it.
     */
    public static Path keep(Path log, Path dest) throws IOException {
        Path dir = dest.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = Files.createTempFile(dir, ".criu-log-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.copy(log, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            return Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Where a clone's CRIU log is kept: {@code <stateRoot>/logs/<clone>-<action>.log}, action "dump" or "restore". */
    public static Path keptLog(Path stateRoot, String clone, String action) {
        return stateRoot.resolve("logs").resolve(clone + "-" + action + ".log");
    }

    /** An error line and CRIU's message in it (after the source location). */
    private record ErrorLine(String line, String message) {
    }

    private static List<ErrorLine> errors(Path log) {
        List<ErrorLine> errors = new ArrayList<>();
        // ISO-8859-1: CRIU logs file names as raw bytes; any byte must read
        try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.ISO_8859_1)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                Matcher m = ERROR.matcher(line);
                if (m.find() && HARMLESS.stream().noneMatch(h -> h.matcher(m.group(2)).find())) {
                    errors.add(new ErrorLine(line, m.group(2).strip()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CRIU's log " + log, e);
        }
        return errors;
    }
}
