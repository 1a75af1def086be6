package io.parikshan.clone;

import io.parikshan.contract.Contract;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of everything a clone owns, derived from the clone's name alone, so that teardown
 * finds them again even after a crash half-way through a clone.
 */
public record CloneNames(String cloneName, Path stateRoot) {

    public static final String LABEL_ROLE = "io.parikshan.role";
    public static final String ROLE_CLONE = "clone";
    public static final String LABEL_CLONE = "io.parikshan.clone";
    public static final String LABEL_PRODUCTION = "io.parikshan.production";
    public static final String LABEL_PRODUCTION_ID = "io.parikshan.production-id";
    public static final String LABEL_CREATED = "io.parikshan.created";
    public static final String CHECKPOINT = "parikshan";
    /** The file every clone has at its root, so code inside can tell it is not production. */
    public static final String MARKER = Contract.CLONE_MARKER_NAME;

    public String sandboxNetwork() {
        return "parikshan-sbx-" + cloneName;
    }

    /** Linux limits interface names to 15 bytes, so the bridge is named by a hash. */
    public String bridge() {
        return "pk" + hash();
    }

    /** The host end of the clone's veth pair, on the sandbox bridge. */
    public String vethHost() {
        return "pv" + hash() + "h";
    }

    /** The clone's end of the veth pair until it is renamed eth0 inside the clone. */
    public String vethClone() {
        return "pv" + hash() + "c";
    }

    private String hash() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(cloneName.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 11);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String volume(int index) {
        return "parikshan-" + cloneName + "-" + index;
    }

    /** Owner-only directory holding the clone's bind-mount copies and CRIU logs. */
    public Path stateDir() {
        return stateRoot.resolve("clones").resolve(cloneName);
    }

    /**
     * CRIU's checkpoint images: production's memory (secrets), so on a memory file system
     * ({@link ImageStore}), owner-only, deleted once the clone runs.
     */
    public Path imagesDir() {
        return ImageStore.ROOT.resolve(cloneName);
    }

    /** The clone's copy of production's writable layer: the upper layer of its root overlay. */
    public Path upperDir() {
        return stateDir().resolve("upper");
    }

    Path overlayWorkDir() {
        return stateDir().resolve("overlay-work");
    }

    /** Where the clone's root overlay is mounted. */
    public Path rootfsDir() {
        return stateDir().resolve("rootfs");
    }

    /** The clone's OCI bundle (its config.json). */
    public Path bundleDir() {
        return stateDir().resolve("bundle");
    }

    /** The clone's standard output and error. */
    public Path logFile() {
        return stateDir().resolve("clone.log");
    }

    /** What the clone is (production, address, ports), for list and destroy. */
    public Path recordFile() {
        return stateDir().resolve("clone.json");
    }

    /** Copies of production's /etc/hosts, /etc/hostname and /etc/resolv.conf. */
    public Path etcDir() {
        return stateDir().resolve("etc");
    }

    /** The cgroup runc makes for the clone. */
    public String cgroupsPath() {
        return "/parikshan/" + cloneName;
    }

    public Path workDir() {
        return stateDir().resolve("criu-work");
    }

    public Path bindCopy(int index) {
        return stateDir().resolve("binds").resolve(Integer.toString(index));
    }

    public String firewallComment() {
        return "parikshan:" + cloneName;
    }
}
