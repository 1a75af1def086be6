package io.parikshan.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Puts the {@code io.parikshan.agent.boot} classes on the bootstrap class path, once per JVM. Must
 * run before any class referring to them is loaded by the agent's own class loader.
 */
final class BootstrapInjector {

    /** The newest boot class: an agent of an older build may have injected the others only. */
    static final String DISPATCHER = "io.parikshan.agent.boot.DiagDispatcher";
    private static final String[] BOOT_CLASSES = {
            "io/parikshan/agent/boot/ProbeDispatcher.class",
            "io/parikshan/agent/boot/ProbeHandler.class",
            "io/parikshan/agent/boot/DiagDispatcher.class",
            "io/parikshan/agent/boot/DiagHandler.class",
    };

    private BootstrapInjector() {
    }

    static synchronized void inject(Instrumentation inst, Path workDir) throws IOException {
        if (onBootstrapPath()) {
            return;
        }
        Files.createDirectories(workDir);
        Path jar = Files.createTempFile(workDir, "parikshan-boot-", ".jar");
        jar.toFile().deleteOnExit();
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out)) {
            for (String name : BOOT_CLASSES) {
                try (InputStream in = BootstrapInjector.class.getClassLoader().getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IOException("agent jar lacks " + name + ": rebuild probe-agent");
                    }
                    jos.putNextEntry(new JarEntry(name));
                    in.transferTo(jos);
                    jos.closeEntry();
                }
            }
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
        if (!onBootstrapPath()) {
            throw new IOException("could not put " + DISPATCHER + " on the bootstrap class path from " + jar);
        }
    }

    private static boolean onBootstrapPath() {
        try {
            Class.forName(DISPATCHER, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
