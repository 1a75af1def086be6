package io.parikshan.clone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Whether root here may act on other users' processes, and whether the installed CRIU copes
 * when it may not. Without CAP_SYS_RESOURCE the kernel refuses prlimit() on a task whose uid or
 * gid is not root's, and an unpatched CRIU then cannot dump any process running as another user.
 * deploy/host/setup.sh builds CRIU with a patch that reads those limits from /proc/PID/limits
 * instead; such a build names it in {@code criu --version} ("Parikshan: rlimits-from-proc").
 */
public final class Capabilities {

    static final int CAP_SYS_RESOURCE = 24;
    public static final String RLIMITS_PATCH = "rlimits-from-proc";
    private static final Path STATUS = Path.of("/proc/self/status");

    private Capabilities() {
    }

    /**
     * True when this process has CAP_SYS_RESOURCE in its effective set and in its bounding set
     * (the bounding set caps what programs it starts, such as criu, can get).
     */
    public static boolean hasSysResource() {
        try {
            return hasSysResource(Files.readString(STATUS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean hasSysResource(String status) {
        return has(status, "CapEff", CAP_SYS_RESOURCE) && has(status, "CapBnd", CAP_SYS_RESOURCE);
    }

    /** Bit {@code cap} of a capability set line ("CapEff:\t000001fffeffffff") of /proc/PID/status. */
    static boolean has(String status, String field, int cap) {
        String prefix = field + ":";
        for (String line : status.split("\n")) {
            if (line.startsWith(prefix)) {
                long set = Long.parseUnsignedLong(line.substring(prefix.length()).strip(), 16);
                return (set >>> cap & 1) == 1;
            }
        }
        throw new IllegalArgumentException("no " + field + " line in the process status");
    }

    /** True when the criu on PATH names the rlimits patch in its {@code --version}. */
    public static boolean criuHasRlimitsPatch() {
        HostCommand.Result r = HostCommand.run(List.of("criu", "--version"), Duration.ofSeconds(10));
        return r.ok() && hasPatch(r.stdout(), RLIMITS_PATCH);
    }

    /** Whether {@code criu --version} output has the line "Parikshan: NAME". */
    static boolean hasPatch(String criuVersion, String name) {
        return criuVersion.lines().map(String::strip).anyMatch(("Parikshan: " + name)::equals);
    }

    /** True when CRIU can dump processes that run as another user than root. */
    public static boolean canDumpOtherUsers() {
        return hasSysResource() || criuHasRlimitsPatch();
    }
}
