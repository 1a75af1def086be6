package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inspector over a fake /proc: fd entries are symlinks, as in the real one. */
class CheckpointBlockersTest {

    @TempDir
    Path proc;

    private CheckpointBlockers blockers;

    @BeforeEach
    void host() throws Exception {
        blockers = new CheckpointBlockers(proc);
        process(1, 0, "systemd");
        ns(1, "pid", "pid:[1]");
        ns(1, "user", "user:[1]");
    }

    @Test
    void anIoUringInMariaDbNamesTheProcessTheFdAndMariaDbsOwnSwitch() throws Exception {
        process(800, 1, "docker-init");
        process(812, 800, "mariadbd");
        fd(812, 3, "/var/lib/mysql/ibdata1");
        fd(812, 14, "anon_inode:[io_uring]");
        maps(812, "7fab40dcb000-7fab40dcc000 rw-s 00000000 00:10 21099                      anon_inode:[io_uring]");

        List<CheckpointBlockers.Blocker> found = blockers.inspect(800);

        assertThat(found).extracting(CheckpointBlockers.Blocker::line).containsExactly(
                "mariadbd (pid 812) holds an io_uring instance (fd 14), which CRIU cannot checkpoint; "
                        + "for MariaDB start it with --innodb-use-native-aio=0");
    }

    @Test
    void otherProgramsGetTheGeneralFixAndAMappingWithoutFdCountsToo() throws Exception {
        process(900, 1, "app");
        maps(900, "7f00-7f01 rw-s 00000000 00:10 5 anon_inode:[io_uring]");
        process(901, 900, "worker");
        fd(901, 7, "anon_inode:[perf_event]");
        fd(901, 8, "anon_inode:[userfaultfd]");
        fd(901, 9, "anon_inode:bpf-map");

        assertThat(blockers.inspect(900)).extracting(CheckpointBlockers.Blocker::line).containsExactly(
                "app (pid 900) holds an io_uring instance (mapped in memory), which CRIU cannot checkpoint; start it without io_uring",
                "worker (pid 901) holds a perf event (fd 7), which CRIU cannot checkpoint; "
                        + "stop profiling or tracing it (perf, an APM or eBPF agent) while cloning",
                "worker (pid 901) holds a userfaultfd (fd 8), which CRIU cannot checkpoint; start it without userfaultfd",
                "worker (pid 901) holds a BPF object (bpf-map) (fd 9), which CRIU cannot checkpoint; "
                        + "start it without loading BPF programs or maps");
    }

    @Test
    void filesCriuDumpsAreNoBlockers() throws Exception {
        process(700, 1, "nginx");
        int n = 10;
        for (String kind : new String[] {"[eventfd]", "[eventpoll]", "inotify", "[fanotify]", "[signalfd]", "[timerfd]", "[pidfd]"}) {
            fd(700, n++, "anon_inode:" + kind);
        }
        fd(700, 3, "socket:[123]");
        fd(700, 4, "pipe:[456]");
        fd(700, 5, "/dev/null");
        maps(700, "7f00-7f01 rw-s 00000000 00:0f 9 /[aio] (deleted)");

        assertThat(blockers.inspect(700)).isEmpty();
    }

    @Test
    void anUnknownAnonymousInodeIsNamedAsTheKernelNamesIt() throws Exception {
        process(600, 1, "svc");
        fd(600, 5, "anon_inode:[fscontext]");

        assertThat(blockers.inspect(600)).extracting(CheckpointBlockers.Blocker::line).containsExactly(
                "svc (pid 600) holds a file of kind anon_inode:[fscontext] (fd 5), which CRIU cannot checkpoint; "
                        + "start it so that it does not open one");
    }

    @Test
    void aNestedNamespaceAndATracedProcessAreBlockersButTheContainersOwnNamespacesAreNot() throws Exception {
        process(500, 1, "init");
        ns(500, "pid", "pid:[50]");
        ns(500, "user", "user:[1]");
        process(501, 500, "sh");
        ns(501, "pid", "pid:[50]");
        ns(501, "user", "user:[1]");
        process(502, 501, "sandboxed");
        ns(502, "pid", "pid:[51]");
        ns(502, "user", "user:[1]");
        process(503, 500, "traced");
        Files.writeString(proc.resolve("503/status"), "Name:\ttraced\nPPid:\t500\nTracerPid:\t4242\n");

        assertThat(blockers.inspect(500)).extracting(CheckpointBlockers.Blocker::line).containsExactly(
                "sandboxed (pid 502) runs in a pid namespace of its own, nested in the container's, which CRIU cannot "
                        + "checkpoint; start it without creating a pid namespace (unshare, a sandbox or container inside the container)",
                "traced (pid 503) is being traced by pid 4242, which CRIU cannot checkpoint; "
                        + "detach the debugger or tracer (gdb, strace) first");
    }

    @Test
    void theTreeIsTheInitAndItsDescendantsOnly() throws Exception {
        process(100, 1, "init");
        process(101, 100, "a");
        process(102, 101, "b");
        process(200, 1, "elsewhere");
        process(201, 200, "other");

        assertThat(blockers.processTree(100)).containsExactly(100L, 101L, 102L);
    }

    @Test
    void cgroupMembersComeFromTheFreezerHierarchyOnCgroupV1() throws Exception {
        process(100, 1, "init");
        Files.writeString(proc.resolve("100/cgroup"),
                "5:memory:/docker/abc\n4:freezer:/docker/abc\n0::/system.slice/docker.service\n");
        Path cgroups = Files.createDirectories(proc.resolve("sys-fs-cgroup/freezer/docker/abc"));
        Files.writeString(cgroups.resolve("cgroup.procs"), "100\n101\n777\n");

        assertThat(blockers.cgroupMembers(proc.resolve("sys-fs-cgroup"), 100)).containsExactly(100L, 101L, 777L);
    }

    @Test
    void requireNoneFailsWithOneLineNamingTheFirstAndTheOthers() throws Exception {
        process(800, 1, "mariadbd");
        fd(800, 14, "anon_inode:[io_uring]");
        process(801, 800, "helper");
        fd(801, 3, "anon_inode:[userfaultfd]");

        assertThatThrownBy(() -> blockers.requireNone("db", 800)).isInstanceOf(ParikshanException.class)
                .hasMessage("cannot clone db: mariadbd (pid 800) holds an io_uring instance (fd 14), which CRIU cannot "
                        + "checkpoint; for MariaDB start it with --innodb-use-native-aio=0 "
                        + "(also: helper (pid 801) holds a userfaultfd (fd 3))");
        process(900, 1, "nginx");
        fd(900, 3, "anon_inode:[eventpoll]");
        blockers.requireNone("web", 900);
    }

    @Test
    void aProcessThatEndedMeanwhileIsSkipped() throws Exception {
        process(100, 1, "init");
        assertThat(blockers.inspect(100, List.of(100L, 4711L))).isEmpty();
    }

    private void process(long pid, long ppid, String comm) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.createDirectories(dir.resolve("fd"));
        Files.createDirectories(dir.resolve("ns"));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("status"), "Name:\t" + comm + "\nPPid:\t" + ppid + "\nTracerPid:\t0\n");
        Files.writeString(dir.resolve("maps"), "");
    }

    private void fd(long pid, int fd, String target) throws Exception {
        Files.createSymbolicLink(proc.resolve(pid + "/fd/" + fd), Path.of(target));
    }

    private void ns(long pid, String kind, String target) throws Exception {
        Files.createSymbolicLink(proc.resolve(pid + "/ns/" + kind), Path.of(target));
    }

    private void maps(long pid, String... lines) throws Exception {
        Files.write(proc.resolve(pid + "/maps"), List.of(lines));
    }
}
