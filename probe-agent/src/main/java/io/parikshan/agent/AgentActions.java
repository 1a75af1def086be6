package io.parikshan.agent;

import io.parikshan.contract.AgentVerb;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicReference;

/** The agent commands, run after the boot classes are in place. */
final class AgentActions {

    private AgentActions() {
    }

    static String execute(AgentCommand cmd, Instrumentation inst) throws Exception {
        ProbeRuntime rt = ProbeRuntime.get(inst, cmd.dir());
        StringBuilder out = new StringBuilder("ok\n");
        out.append("java ").append(System.getProperty("java.version")).append(" pid ")
                .append(ProcessHandle.current().pid()).append(" clone ")
                .append(CloneMarker.cloneName().orElse("-")).append(" dir ").append(rt.dir()).append('\n');
        for (AgentCommand.Action a : cmd.actions()) {
            switch (a.verb()) {
                case ATTACH -> out.append("attached\n");
                case LOAD -> {
                    if (CloneMarker.cloneName().isEmpty() && !cmd.force()) {
                        throw new IllegalStateException("refusing to run probe tests: " + CloneMarker.PATH
                                + " is absent, so this JVM is not a Parikshan clone (force overrides)");
                    }
                    SuiteJar jar = SuiteJar.open(Path.of(a.value()));
                    for (var suite : jar.suites()) {
                        LoadedSuite s = rt.load(suite, jar.path(), jar.loader());
                        out.append("loaded ").append(s.name()).append(" probes=").append(s.probes().size())
                                .append(" methods=").append(s.instrumentedMethods()).append('\n');
                    }
                }
                case UNLOAD -> {
                    LoadedSuite s = rt.unload(a.value());
                    out.append("unloaded ").append(s.name()).append('\n');
                }
                case LIST -> rt.describe().forEach(l -> out.append(l).append('\n'));
                case REPORT -> {
                    rt.writeReports();
                    out.append("report ").append(rt.dir()).append('\n');
                }
                case INSPECT -> out.append("class ").append(a.value()).append(" code ")
                        .append(classCodeDigest(inst, a.value())).append('\n');
                case DIAGNOSE -> {
                    if (CloneMarker.cloneName().isEmpty() && !cmd.force()) {
                        throw new IllegalStateException("refusing to diagnose: " + CloneMarker.PATH
                                + " is absent, so this JVM is not a Parikshan clone (force overrides)");
                    }
                    Diagnoses.start(inst, Path.of(a.value())).forEach(l -> out.append(l).append('\n'));
                }
                case END -> Diagnoses.end(inst, a.value()).forEach(l -> out.append(l).append('\n'));
                case PATCH -> {
                    if (CloneMarker.cloneName().isEmpty() && !cmd.force()) {
                        throw new IllegalStateException("refusing to patch classes: " + CloneMarker.PATH
                                + " is absent, so this JVM is not a Parikshan clone (force overrides)");
                    }
                    ClassPatch.apply(inst, Path.of(a.value())).forEach(l -> out.append(l).append('\n'));
                }
                case METRICS -> {
                    String v = a.value();
                    int colon = v.lastIndexOf(':');
                    String host = colon < 0 ? null : v.substring(0, colon);
                    int port = parsePort(colon < 0 ? v : v.substring(colon + 1));
                    out.append("metrics port ").append(rt.serveMetrics(host, port)).append('\n');
                }
                default -> throw new IllegalArgumentException("unknown action " + a.verb());
            }
        }
        return out.toString();
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics port '" + s + "' is not a port number (0-65535)");
        }
    }

    /**
     * {@link CodeDigest} of the class's current bytes as the JVM hands them to a new transformer (after
     * all installed ones), so a test can check that unloading restored the original code.
     */
    static String classCodeDigest(Instrumentation inst, String className) throws Exception {
        Class<?> type = null;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getName().equals(className)) {
                type = c;
                break;
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("class " + className + " is not loaded in this JVM");
        }
        return classCodeDigest(inst, type);
    }

    /** {@link CodeDigest} of one loaded class's current bytes. */
    static String classCodeDigest(Instrumentation inst, Class<?> type) throws Exception {
        String className = type.getName();
        Class<?> target = type;
        AtomicReference<byte[]> seen = new AtomicReference<>();
        ClassFileTransformer capture = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                                    ProtectionDomain domain, byte[] bytes) {
                if (redefined == target) {
                    seen.set(bytes.clone());
                }
                return null;
            }
        };
        inst.addTransformer(capture, true);
        try {
            inst.retransformClasses(type);
        } finally {
            inst.removeTransformer(capture);
        }
        if (seen.get() == null) {
            throw new IOException("retransformation did not show the bytes of " + className);
        }
        return CodeDigest.of(seen.get());
    }

}
