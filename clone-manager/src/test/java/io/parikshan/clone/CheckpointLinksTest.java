package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLinksTest {

    @TempDir
    Path tmp;

    @Test
    void linksResolveToTheImagesFromAnyDirectoryTheyAreMovedTo() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("state/images"));
        Files.writeString(images.resolve("pages-1.img"), "pages");
        Files.writeString(images.resolve("inventory.img"), "inventory");
        Path checkpoint = tmp.resolve("docker/containers/abc/checkpoints/parikshan");

        assertThat(CheckpointLinks.link(images, checkpoint)).isEqualTo(2);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(checkpoint))).isEqualTo("rwx------");
        assertThat(Files.isSymbolicLink(checkpoint.resolve("pages-1.img"))).isTrue();
        assertThat(Files.readString(checkpoint.resolve("pages-1.img"))).isEqualTo("pages");
        // containerd re-creates the links (tar keeps them as links) in a directory of its own,
        // shallow or deep; they must still reach the images
        for (String extraction : new String[] {"x", "a/b/c/d/e/f/g/h/ctrd-checkpoint123"}) {
            Path elsewhere = Files.createDirectories(tmp.resolve(extraction));
            Path moved = elsewhere.resolve("pages-1.img");
            Files.createSymbolicLink(moved, Files.readSymbolicLink(checkpoint.resolve("pages-1.img")));
            assertThat(Files.readString(moved)).isEqualTo("pages");
        }
        assertThat(Files.readSymbolicLink(checkpoint.resolve("inventory.img")).isAbsolute()).isFalse();
    }
}
