package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Patches of the demo service, built in a test as a user builds them: jars compiled from changed
 * copies of its source ({@code fix} mends the latent bug, {@code noop} changes nothing,
 * {@code schema} adds a field, {@code unloaded} holds a class the service never loads), and the
 * demo's image with the fix compiled in (the fix shipped as a new image). Closing removes both.
 */
final class DemoPatches implements AutoCloseable {

    /** The latent bug: the read cache is keyed by the lower-cased key. */
    static final String BUGGY_LINE = "return key.toLowerCase(Locale.ROOT);";

    private final Path dir;
    private String fixedImage;

    private DemoPatches(Path dir) {
        this.dir = dir;
    }

    /** Builds the four jars, and the fixed image as {@code run-fixed:1} on top of {@code demoImage}. */
    static DemoPatches build(String run, String demoImage) throws Exception {
        DemoPatches p = new DemoPatches(Files.createTempDirectory(run + "-patches"));
        try {
            String source = Files.readString(CloneBadInputIT.repo().resolve("deploy/demo/SampleService.java"));
            assertThat(source).contains(BUGGY_LINE);
            patchJar(p.dir, "fix", source.replace(BUGGY_LINE, "return key;"));
            patchJar(p.dir, "noop", source);
            patchJar(p.dir, "schema", source.replace("private final Map<String, String> readCache",
                    "private int hits;\n        private final Map<String, String> readCache"));
            patchJar(p.dir, "unloaded", "public final class NeverLoadedHere { static int f() { return 1; } }");
            Files.writeString(p.dir.resolve("fix/Dockerfile"), "FROM " + demoImage + "\nCOPY classes/ /app/\n");
            p.fixedImage = run + "-fixed:1";
            CloneBadInputIT.sh("docker", "build", "-q", "-t", p.fixedImage, p.dir.resolve("fix").toString());
        } catch (Exception | AssertionError e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** The jar named {@code fix}, {@code noop}, {@code schema} or {@code unloaded}. */
    Path jar(String name) {
        return dir.resolve(name + ".jar");
    }

    String fixedImage() {
        return fixedImage;
    }

    /** Compiles {@code source} as the demo image compiles its own, into {@code patches/<name>.jar} (classes in {@code patches/<name>/classes}). */
    static Path patchJar(Path patches, String name, String source) throws Exception {
        Path dir = patches.resolve(name);
        Files.createDirectories(dir.resolve("classes"));
        String cls = source.contains("class SampleService") ? "SampleService" : "NeverLoadedHere";
        Files.writeString(dir.resolve(cls + ".java"), source);
        CloneBadInputIT.sh("javac", "--release", "17", "-d", dir.resolve("classes").toString(), dir.resolve(cls + ".java").toString());
        Path jar = patches.resolve(name + ".jar");
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o);
             Stream<Path> files = Files.list(dir.resolve("classes"))) {
            for (Path f : files.sorted().toList()) {
                j.putNextEntry(new JarEntry(f.getFileName().toString()));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
        return jar;
    }

    @Override
    public void close() throws Exception {
        if (fixedImage != null) {
            CloneBadInputIT.run("docker", "rmi", "-f", fixedImage);
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
