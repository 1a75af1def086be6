package io.parikshan.agent;

import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.loading.ClassInjector;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Puts the {@code io.parikshan.agent.boot} classes on the bootstrap class path, once per JVM, with
 * Byte Buddy's {@link ClassInjector.UsingInstrumentation} (a jar in {@code workDir}, appended to the
 * bootstrap search and removed once its classes are loaded). Must run before any class referring to
 * them is loaded by the agent's own class loader: their bytes are read as resources, never as classes.
 */
final class BootstrapInjector {

    /** The newest boot class: an agent of an older build may have injected the others only. */
    static final String DISPATCHER = "io.parikshan.agent.boot.DiagDispatcher";
    private static final Set<String> BOOT_CLASSES = Set.of(
            "io.parikshan.agent.boot.ProbeDispatcher",
            "io.parikshan.agent.boot.ProbeHandler",
            DISPATCHER,
            "io.parikshan.agent.boot.DiagHandler");

    private BootstrapInjector() {
    }

    static synchronized void inject(Instrumentation inst, Path workDir) throws IOException {
        if (onBootstrapPath()) {
            return;
        }
        Files.createDirectories(workDir);
        ClassFileLocator agentClasses = ClassFileLocator.ForClassLoader.of(BootstrapInjector.class.getClassLoader());
        for (String name : BOOT_CLASSES) {
            if (!agentClasses.locate(name).isResolved()) {
                throw new IOException("agent jar lacks " + name + ": rebuild probe-agent");
            }
        }
        try {
            ClassInjector.UsingInstrumentation.of(workDir.toFile(), ClassInjector.UsingInstrumentation.Target.BOOTSTRAP, inst)
                    .injectRaw(BOOT_CLASSES, agentClasses);
        } catch (RuntimeException e) {
            throw new IOException("could not put " + DISPATCHER + " on the bootstrap class path through " + workDir
                    + ": " + e.getMessage(), e);
        }
        if (!onBootstrapPath()) {
            throw new IOException("could not put " + DISPATCHER + " on the bootstrap class path through " + workDir);
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
