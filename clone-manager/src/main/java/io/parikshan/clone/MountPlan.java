package io.parikshan.clone;

import java.nio.file.Path;

/**
 * How one of production's mounts appears in the clone. Writable volumes and bind mounts are
 * copied (a clone must never write into production's data); read-only ones are shared.
 *
 * @param destination path inside the container
 * @param source      production's host path (a volume's data directory or a bind source)
 * @param cloneSource the host path the clone mounts: the same as source when shared
 * @param cloneVolume the clone's own volume name when production's was a volume, else null
 */
record MountPlan(String destination, Path source, Path cloneSource, String cloneVolume, boolean readOnly) {

    boolean shared() {
        return source.equals(cloneSource) && cloneVolume == null;
    }

    boolean copied() {
        return !shared();
    }
}
