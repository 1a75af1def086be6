package io.parikshan.clone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The clone's OCI bundle: production's own {@code config.json} (the spec the engine gave runc,
 * so the clone has production's process, user, capabilities, seccomp profile, mounts and limits
 * on every engine) with what makes it a clone changed: its root file system (an overlay of
 * production's image layers and the copied writable layer), its own cgroup and hostname, its
 * copied mounts, a network namespace of its own (CRIU gives it a fresh one; the sandbox puts the
 * clone's only interface in it), and none of the engine's hooks, which would set up production's
 * network for the clone.
 */
final class CloneBundle {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CloneBundle() {
    }

    /**
     * Writes {@code dir/config.json}.
     *
     * @param production production's config.json
     * @param rootfs     the clone's root file system (mounted)
     * @param mounts     destination inside the container to the host path the clone mounts instead
     */
    static Path write(Path production, Path dir, Path rootfs, String cloneName, String cgroupsPath,
                      Map<String, Path> mounts) {
        ObjectNode spec;
        try {
            spec = (ObjectNode) JSON.readTree(production.toFile());
        } catch (IOException | ClassCastException e) {
            throw new ParikshanException("cannot read production's OCI spec " + production + " (" + e.getMessage()
                    + "); is the container still running under runc?");
        }
        rewrite(spec, rootfs, cloneName, cgroupsPath, mounts);
        Path config = dir.resolve("config.json");
        try {
            Files.createDirectories(dir);
            JSON.writeValue(config.toFile(), spec);
        } catch (IOException e) {
            throw new ParikshanException("cannot write the clone's OCI spec " + config + ": " + e.getMessage());
        }
        return config;
    }

    static void rewrite(ObjectNode spec, Path rootfs, String cloneName, String cgroupsPath, Map<String, Path> mounts) {
        ((ObjectNode) spec.with("root")).put("path", rootfs.toString());
        spec.put("hostname", cloneName.length() > 63 ? cloneName.substring(0, 63) : cloneName);
        spec.remove("hooks");
        ObjectNode linux = (ObjectNode) spec.with("linux");
        linux.put("cgroupsPath", cgroupsPath);
        JsonNode namespaces = linux.path("namespaces");
        if (namespaces.isArray()) {
            for (JsonNode ns : namespaces) {
                // Docker 28 names production's network namespace; the clone's is its own.
                if (ns.path("type").asText().equals("network") && ns instanceof ObjectNode o) {
                    o.remove("path");
                }
            }
        }
        JsonNode list = spec.path("mounts");
        if (list instanceof ArrayNode array) {
            for (JsonNode m : array) {
                Path instead = mounts.get(m.path("destination").asText());
                if (instead != null && m instanceof ObjectNode o) {
                    o.put("source", instead.toString());
                }
            }
        }
    }
}
