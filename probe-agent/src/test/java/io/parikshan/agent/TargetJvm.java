package io.parikshan.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Test fixtures for the integration tests: the greeting server's classes in a directory of their own
 * (so the suites are not on the server's class path), suite jars, and a real server JVM.
 */
final class TargetJvm implements AutoCloseable {

    static final Path TEST_CLASSES = Path.of(System.getProperty("parikshan.test.classes", "target/test-classes"));
    static final Path AGENT_JAR = Path.of(System.getProperty("parikshan.agent.jar", "target/parikshan-probe-agent.jar"));
    static final String JAVA_17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
    static final String JAVA_25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";

    /** Skips the test when a JDK is missing, except under CI=true where that is a failure. */
    static void requireJava(String java) {
        if (!Files.isExecutable(Path.of(java))) {
            String problem = java + " is missing (install the JDK the test targets)";
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(problem + " (CI=true)");
            }
            org.junit.jupiter.api.Assumptions.abort(problem);
        }
    }

    final Process process;
    final int port;
    private final StringBuffer stderr = new StringBuffer();

    private TargetJvm(Process process, int port) {
        this.process = process;
        this.port = port;
        CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                r.lines().forEach(l -> stderr.append(l).append('\n'));
            } catch (IOException ignored) {
                // Process ended.
            }
        });
    }

    /** Starts the greeting server on a loopback port and waits until it listens. */
    static TargetJvm start(String java, Path serverClasses, String... jvmOptions) throws Exception {
        requireJava(java);
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", serverClasses.toString(), "io.parikshan.probed.server.GreetingServer",
                "127.0.0.1", "0"));
        Process p = new ProcessBuilder(cmd).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        if (line == null || !line.startsWith("listening ")) {
            p.destroyForcibly();
            throw new IllegalStateException("greeting server did not start: " + line);
        }
        // Keep draining stdout so the target never blocks on a full pipe.
        CompletableFuture.runAsync(() -> {
            try {
                out.lines().forEach(l -> { });
            } catch (RuntimeException ignored) {
                // Process ended.
            }
        });
        return new TargetJvm(p, Integer.parseInt(line.substring("listening ".length()).strip()));
    }

    String stderr() {
        return stderr.toString();
    }

    /** Copies the classes under one package directory of test-classes into {@code into}. */
    static Path copyPackage(String packageDir, Path into) throws IOException {
        Path from = TEST_CLASSES.resolve(packageDir);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = into.resolve(TEST_CLASSES.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return into;
    }

    /** A suite jar with the classes of {@code suiteClass} (and its nested/lambda classes) and its service entry. */
    static Path suiteJar(Class<?> suiteClass, Path jar) throws IOException {
        String internal = suiteClass.getName().replace('.', '/');
        Path dir = TEST_CLASSES.resolve(internal).getParent();
        String simple = suiteClass.getSimpleName();
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o);
             Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (n.equals(simple + ".class") || n.startsWith(simple + "$")) {
                    j.putNextEntry(new JarEntry(TEST_CLASSES.relativize(f).toString()));
                    Files.copy(f, j);
                    j.closeEntry();
                }
            }
            j.putNextEntry(new JarEntry("META-INF/services/io.parikshan.dsl.ProbeSuite"));
            j.write((suiteClass.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return jar;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
