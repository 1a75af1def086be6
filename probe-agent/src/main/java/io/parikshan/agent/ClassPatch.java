package io.parikshan.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Redefines the classes this JVM has loaded with the class files of a patch jar
 * ({@link Instrumentation#redefineClasses}): what a fix to method bodies needs, tried on a live
 * clone. All of the jar's loaded classes are redefined in one step, or none. A class whose shape
 * the patch changes (a field, a method or its signature, the hierarchy; see {@link ClassShape}) is
 * refused by name before anything is redefined, as the JVM would refuse it. Classes of the jar the
 * JVM has not loaded are left to load from the application as they are (the reply lists them); a
 * jar none of whose classes is loaded is refused: it would change nothing.
 */
final class ClassPatch {

    private ClassPatch() {
    }

    /** Applies the patch; returns the reply lines ({@code patched C}, {@code not loaded C}). */
    static List<String> apply(Instrumentation inst, Path jar) throws IOException {
        Map<String, byte[]> files = classFiles(jar);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("patch jar " + jar + " holds no class files: build it from the changed sources");
        }
        Map<String, List<Class<?>>> loaded = new LinkedHashMap<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (files.containsKey(c.getName()) && !c.isArray()) {
                loaded.computeIfAbsent(c.getName(), k -> new ArrayList<>()).add(c);
            }
        }
        if (loaded.isEmpty()) {
            throw new IllegalArgumentException("none of the " + files.size() + " classes in patch jar " + jar.getFileName()
                    + " (e.g. " + files.keySet().iterator().next() + ") is loaded in this JVM: patch classes of the service it runs");
        }
        List<ClassDefinition> definitions = new ArrayList<>();
        for (Map.Entry<String, List<Class<?>>> e : loaded.entrySet()) {
            byte[] patched = files.get(e.getKey());
            for (Class<?> c : e.getValue()) {
                if (!inst.isModifiableClass(c)) {
                    throw new IllegalArgumentException("class " + c.getName() + " cannot be redefined in this JVM");
                }
                requireSameShape(c, patched);
                definitions.add(new ClassDefinition(c, patched));
            }
        }
        try {
            inst.redefineClasses(definitions.toArray(ClassDefinition[]::new));
        } catch (UnsupportedOperationException | UnmodifiableClassException | ClassNotFoundException
                 | LinkageError e) {
            throw new IllegalArgumentException("the JVM refused to redefine " + String.join(", ", loaded.keySet()) + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage())
                    + " (only method bodies can change in a running JVM)", e);
        }
        List<String> out = new ArrayList<>();
        loaded.keySet().forEach(n -> out.add("patched " + n));
        files.keySet().stream().filter(n -> !loaded.containsKey(n)).forEach(n -> out.add("not loaded " + n));
        return out;
    }

    /** Refuses, naming the class and the change, a patch that changes more than method bodies. */
    private static void requireSameShape(Class<?> loaded, byte[] patched) throws IOException {
        byte[] current = currentClassFile(loaded);
        if (current == null) {
            return; // no class file to read it from: the JVM's own check decides
        }
        List<String> changes = ClassShape.of(current).changesIn(ClassShape.of(patched));
        if (!changes.isEmpty()) {
            throw new IllegalArgumentException("class " + loaded.getName() + " cannot be redefined in place: the patch "
                    + String.join(", ", changes) + " (a running JVM takes only changed method bodies)");
        }
    }

    private static byte[] currentClassFile(Class<?> c) throws IOException {
        String resource = c.getName().replace('.', '/') + ".class";
        ClassLoader loader = c.getClassLoader();
        try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource) : loader.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** The jar's class files by binary class name (module-info and multi-release variants left out). */
    static Map<String, byte[]> classFiles(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("patch jar " + jar + " does not exist in the target");
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = f.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String n = e.getName();
                if (e.isDirectory() || !n.endsWith(".class") || n.startsWith("META-INF/") || n.endsWith("module-info.class")
                        || n.endsWith("package-info.class")) {
                    continue;
                }
                try (InputStream in = f.getInputStream(e)) {
                    out.put(n.substring(0, n.length() - ".class".length()).replace('/', '.'), in.readAllBytes());
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException("patch jar " + jar + " is not a jar: " + e.getMessage(), e);
        }
        return out;
    }
}
