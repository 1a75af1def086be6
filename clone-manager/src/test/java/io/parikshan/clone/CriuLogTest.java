package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Log lines as CRIU 4.2.1 prints them (format strings from its source; the io_uring ones from real dumps on this host). */
class CriuLogTest {

    @TempDir
    Path tmp;

    /** The noise CRIU logs at the start of every dump here, before the real cause. */
    private static final String NOFILE = "(00.039277) Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for self: "
            + "Operation not permitted";

    @Test
    void anIoUringMappingIsTheCauseNotTheNoiseBeforeItNorTheFailuresAfterIt() throws Exception {
        Path log = log("(00.000010) Version: 4.2.1",
                NOFILE,
                "(00.044556) Error (criu/proc_parse.c:502): Unknown shit 600 (anon_inode:[io_uring])",
                "(00.044561) Error (criu/proc_parse.c:738): Can't open 14114's mapfile link 7fed02244000: No such device or address",
                "(00.044566) Error (criu/cr-dump.c:1440): Collect mappings (pid: 14114) failed with -1",
                "(00.044666) Error (criu/cr-dump.c:1975): Dumping FAILED.");

        CriuLog.Diagnosis d = CriuLog.diagnose(log).orElseThrow();

        assertThat(d.errorLine()).isEqualTo("(00.044556) Error (criu/proc_parse.c:502): Unknown shit 600 (anon_inode:[io_uring])");
        assertThat(d.summary()).isEqualTo("a process uses io_uring (its rings are mapped in memory), which CRIU cannot "
                + "checkpoint; start it without io_uring (MariaDB: --innodb-use-native-aio=0)");
        assertThat(CriuLog.firstError(log)).contains(d.errorLine());
    }

    @Test
    void knownCausesAreTranslated() throws Exception {
        assertThat(summary("Error (criu/cr-dump.c:389): Can't get rlimit 0: Operation not permitted"))
                .startsWith("a process in the container runs as a user other than root")
                .contains("CAP_SYS_RESOURCE", "deploy/host/setup.sh");
        assertThat(summary("Error (criu/file-lock.c:110): Some file locks are hold by dumping tasks! You can try --file-locks to dump them."))
                .contains("file locks", "file-locks to /etc/criu/runc.conf");
        assertThat(summary("Error (criu/files-ext.c:94): Can't dump file 14 of that type [600] (anon anon_inode:[io_uring])"))
                .startsWith("a process holds an io_uring instance (fd 14)");
        assertThat(summary("Error (criu/files-ext.c:94): Can't dump file 5 of that type [600] (anon anon_inode:[userfaultfd])"))
                .isEqualTo("a process holds fd 5 (anon_inode:[userfaultfd]), a kind of file CRIU cannot checkpoint; start it without it");
        assertThat(summary("pie: 14373: Error (criu/pie/parasite.c:588): send_fds failed (-22)"))
                .contains("most likely an io_uring instance");
        assertThat(summary("Error (criu/sk-inet.c:200): inet: Connected TCP socket, consider using --tcp-established option."))
                .contains("lacks the line tcp-close", "setup.sh");
        assertThat(summary("Error (criu/files-reg.c:1031): Can't dump ghost file /tmp/big of 2097152 size, increase limit"))
                .startsWith("a process keeps open the deleted file /tmp/big (2.0 MiB)").contains("ghost-limit");
        assertThat(summary("Error (criu/sk-unix.c:881): unix: Can't dump half of stream unix connection. name: /run/app.sock; "
                + "peer name: /var/run/agent.sock")).contains("(/run/app.sock) connected to a program outside the container (/var/run/agent.sock)");
        assertThat(summary("Error (criu/sk-unix.c:874): unix: External socket is used. Consider using --ext-unix-sk option."))
                .contains("outside the container");
        assertThat(summary("Error (criu/namespaces.c:460): Can't dump nested uts namespace for 42"))
                .startsWith("process 42 runs in a uts namespace nested in the container's");
        assertThat(summary("Error (compel/src/lib/infect.c:262): Unseizable non-zombie 77 found, state S, err -1/0"))
                .contains("could not stop process 77", "gdb");
        assertThat(summary("Error (criu/mount-v2.c:897): mnt-v2: Failed to copy sharing from 1:/ to 2: Invalid argument"))
                .contains("shared mount");
        assertThat(summary("Error (criu/mount.c:3141): mnt: No mapping for 1234:/data mountpoint"))
                .startsWith("production has a mount at /data that the clone was not given");
    }

    @Test
    void anUnknownErrorIsGivenInCriusWords() throws Exception {
        Path log = log(NOFILE, "(00.1) Error (criu/cr-restore.c:1007): Unknown state in code 9", "(00.2) Error (criu/cr-restore.c:2000): Restoring FAILED.");

        CriuLog.Diagnosis d = CriuLog.diagnose(log).orElseThrow();

        assertThat(d.meaning()).isEmpty();
        assertThat(d.summary()).isEqualTo("CRIU: Unknown state in code 9");
        assertThat(CriuLog.firstError(log)).contains("(00.1) Error (criu/cr-restore.c:1007): Unknown state in code 9");
    }

    @Test
    void aLogWithoutErrorsHasNoDiagnosis() throws Exception {
        Path log = log("(00.000010) Version: 4.2.1", NOFILE, "(00.2) Warn  (criu/net.c:534): The veth is in an external netns");
        assertThat(CriuLog.diagnose(log)).isEmpty();
        assertThat(CriuLog.firstError(log)).isEqualTo(Optional.empty());
    }

    @Test
    void aKeptLogIsOwnerOnlyAndOutsideTheClonesStateDir() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("state/clones/web-clone-1/criu-work"));
        Path dump = Files.writeString(work.resolve("dump.log"), "Error (x.c:1): y\n");
        Path kept = CriuLog.keptLog(tmp.resolve("state"), "web-clone-1", "dump");
        assertThat(kept).isEqualTo(tmp.resolve("state/logs/web-clone-1-dump.log"));

        assertThat(CriuLog.keep(dump, kept)).isEqualTo(kept);
        Files.writeString(dump, "Error (x.c:2): z\n");
        assertThat(CriuLog.keep(dump, kept)).isEqualTo(kept); // a second failure replaces the first

        assertThat(Files.readString(kept)).isEqualTo("Error (x.c:2): z\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.getParent()))).isEqualTo("rwx------");
        try (var left = Files.list(kept.getParent())) {
            assertThat(left).containsExactly(kept);
        }
    }

    private String summary(String line) throws Exception {
        return CriuLog.diagnose(log(NOFILE, "(00.5) " + line)).orElseThrow().summary();
    }

    private Path log(String... lines) throws Exception {
        return Files.write(Files.createTempFile(tmp, "criu", ".log"), List.of(lines));
    }
}
