package io.parikshan.agent.host;

import io.parikshan.clone.remote.Ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The file system of the host a target JVM runs on: this host's, or a test host's reached over SSH.
 * Paths are that host's (a target's own files are under {@code /proc/<pid>/root} there, see
 * {@link JvmTarget#hostPath}), so the host side does the same steps wherever the clone runs.
 */
public interface HostFiles {

    /** This host's files. */
    static HostFiles local() {
        return LocalHostFiles.INSTANCE;
    }

    /** The files of the test host {@code ssh} reaches; nothing but POSIX tools runs there. */
    static HostFiles over(Ssh ssh) {
        return new SshHostFiles(ssh);
    }

    boolean exists(Path path) throws IOException;

    /** The file's text (UTF-8), or empty when there is no such file. */
    Optional<String> read(Path path) throws IOException;

    /** The text of every file in {@code dir} whose name matches {@code glob}, one after the other ("" when none). */
    String readEach(Path dir, String glob) throws IOException;

    /** Replaces the file with {@code text}, whole or not at all. */
    void write(Path path, String text) throws IOException;

    /** Puts the local file {@code from} at {@code to} there (whole or not at all); does nothing when it is there already. */
    void copyIn(Path from, Path to) throws IOException;

    /** Moves {@code from} there to the new local file {@code to}, created owner-only (it holds production's data). */
    void copyOut(Path from, Path to) throws IOException;

    void delete(Path path) throws IOException;

    /**
     * Creates {@code dirs}, each owned by the owner of {@code ownerOf} (the target's process: the host
     * side runs as root, the service may not, and the agent writes there); {@code ownerOnly} also 0700.
     */
    void prepareDirs(Path ownerOf, List<Path> dirs, Path ownerOnly) throws IOException;

    /** Follows a file that the agent appends to (it may not exist yet). */
    FileTail tail(Path path, long maxMillis) throws IOException;

    /** Text a file appended to, as it comes. */
    interface FileTail extends AutoCloseable {
        /** What was appended since the last call; empty when nothing was. */
        String poll() throws IOException;

        @Override
        void close();
    }
}
