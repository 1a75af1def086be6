package io.parikshan.clone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Copies a container's files (writable layer, volumes, bind mounts) with rsync. Run once while
 * production serves and again while it is frozen, the second run moves only the delta.
 * Overlay whiteouts (device files) and opaque-directory xattrs are kept, and modification
 * times are compared to the nanosecond so a file changed within the same second is not missed.
 */
final class FileCopier {

    private static final Pattern TRANSFERRED = Pattern.compile("Total transferred file size: ([\\d,.]+)");

    private FileCopier() {
    }

    /**
     * Makes {@code to} an exact copy of {@code from} (a directory or a single file), apart from
     * paths listed in {@code keep}, which are neither copied nor deleted.
     *
     * @return bytes of file data transferred
     */
    static long mirror(Path from, Path to, List<String> keep) {
        return mirror(from, to.toString(), null, keep, Files.isDirectory(from));
    }

    /**
     * As {@link #mirror(Path, Path, List)}, to {@code to} on another host when {@code rsh} (rsync's
     * {@code -e}, e.g. an ssh command) is given and {@code to} is {@code user@host:path}.
     */
    static long mirror(Path from, String to, String rsh, List<String> keep, boolean directory) {
        List<String> cmd = new ArrayList<>(List.of("rsync", "-aHAXS", "--numeric-ids", "--delete",
                "--modify-window=-1", "--stats"));
        if (rsh != null) {
            cmd.add("--rsh=" + rsh);
        }
        for (String k : keep) {
            cmd.add("--exclude=" + k);
        }
        if (directory) {
            cmd.add(from + "/");
            cmd.add(to + "/");
        } else {
            cmd.add(from.toString());
            cmd.add(to);
        }
        HostCommand.Result r = HostCommand.check(cmd, Map.of(), Duration.ofMinutes(30),
                "copying " + from + " to " + to);
        Matcher m = TRANSFERRED.matcher(r.stdout());
        return m.find() ? Long.parseLong(m.group(1).replaceAll("[,.]", "")) : 0L;
    }

    /** The bytes a background {@link #mirror} copied, or its failure as thrown there. */
    static long await(CompletableFuture<Long> copy) {
        try {
            return copy.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Waits for a background copy to end, whatever its outcome. */
    static void awaitQuietly(CompletableFuture<Long> copy) {
        copy.exceptionally(e -> 0L).join();
    }
}
