package io.parikshan.clone;

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
    public static final String MARKER = ".parikshan-clone";

    public String sandboxNetwork() {
        return "parikshan-sbx-" + cloneName;
    }

    /** Linux limits interface names to 15 bytes, so the bridge is named by a hash. */
    public String bridge() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(cloneName.getBytes(StandardCharsets.UTF_8));
            return "pk" + HexFormat.of().formatHex(d).substring(0, 11);
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

    /** CRIU's checkpoint images: production's memory, owner-only, deleted once the clone runs. */
    public Path imagesDir() {
        return stateDir().resolve("images");
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
