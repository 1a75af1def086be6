package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The clone's root file system: an overlay of production's read-only image layers (shared, never
 * written) under the clone's own copy of production's writable layer. The mount is made shared:
 * production's root sits under the engine's shared data root, and CRIU restores mount sharing as
 * dumped ("Failed to copy sharing" on a private root).
 */
final class CloneRootfs {

    private CloneRootfs() {
    }

    /**
     * Mounts the overlay at {@code names.rootfsDir()}.
     *
     * @param lowerDirs production's {@code GraphDriver.Data.LowerDir} (colon-separated)
     */
    static Path mount(CloneNames names, String lowerDirs) {
        Path target = names.rootfsDir();
        try {
            Files.createDirectories(target);
            Files.createDirectories(names.upperDir());
            Files.createDirectories(names.overlayWorkDir());
        } catch (IOException e) {
            throw new ParikshanException("cannot make the clone's root file system in " + names.stateDir() + ": " + e.getMessage());
        }
        String options = "lowerdir=" + shortLowerDirs(lowerDirs) + ",upperdir=" + names.upperDir()
                + ",workdir=" + names.overlayWorkDir();
        HostCommand.check(List.of("mount", "-t", "overlay", "overlay", "-o", options, target.toString()), Map.of(),
                Duration.ofSeconds(30), "mounting the clone's root file system at " + target);
        HostCommand.check(List.of("mount", "--make-shared", target.toString()), Map.of(), Duration.ofSeconds(30),
                "sharing the clone's root mount " + target);
        return target;
    }

    /**
     * Makes a copy of one of production's mounts a shared mount of its own (bound onto itself):
     * CRIU restores an external mount's sharing from its source, which must be a mount's root
     * ("Failed to copy sharing" on a plain directory), as production's volumes are.
     */
    static void shareInPlace(Path copy) {
        HostCommand.check(List.of("mount", "--bind", copy.toString(), copy.toString()), Map.of(), Duration.ofSeconds(30),
                "bind-mounting the clone's copy " + copy);
        HostCommand.check(List.of("mount", "--make-shared", copy.toString()), Map.of(), Duration.ofSeconds(30),
                "sharing the clone's mount " + copy);
    }

    /**
     * Unmounts everything mounted in the clone's state directory (its root, its copies of
     * production's mounts), deepest first, lazily when something still holds a mount.
     */
    static void unmount(CloneNames names) {
        for (String target : mountsUnder(names.stateDir())) {
            if (!HostCommand.run(List.of("umount", target), Duration.ofSeconds(30)).ok()) {
                HostCommand.check(List.of("umount", "-l", target), Map.of(), Duration.ofSeconds(30),
                        "unmounting the clone's " + target);
            }
        }
    }

    static boolean mounted(Path target) {
        return mountsUnder(target).contains(target.toAbsolutePath().toString());
    }

    /** Mount points at or below {@code dir}, deepest (and latest) first. */
    static List<String> mountsUnder(Path dir) {
        String root = dir.toAbsolutePath().toString();
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && (f[4].equals(root) || f[4].startsWith(root + "/"))) {
                    out.add(0, f[4]);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        out.sort(java.util.Comparator.comparingInt(String::length).reversed());
        return out;
    }

    /**
     * overlay2 gives every layer a short link name ({@code <layer>/link}, in {@code l/}), which the
     * engine mounts with so that many layers fit in one page of mount options; the same here.
     */
    static String shortLowerDirs(String lowerDirs) {
        List<String> out = new ArrayList<>();
        for (String dir : lowerDirs.split(":")) {
            Path diff = Path.of(dir);
            Path layer = diff.getParent();
            Path link = layer == null ? null : layer.resolve("link");
            String shortName = null;
            if (link != null && Files.isRegularFile(link)) {
                try {
                    shortName = Files.readString(link).strip();
                } catch (IOException e) {
                    // keep the long form
                }
            }
            Path viaLink = shortName == null || shortName.isEmpty() ? null : layer.getParent().resolve("l").resolve(shortName);
            out.add(viaLink != null && Files.exists(viaLink) ? viaLink.toString() : dir);
        }
        return String.join(":", out);
    }
}
