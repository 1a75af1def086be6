package io.parikshan.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code Class::method} of a diagnosis, {@code *} matching any run of characters in either part. A
 * class is named by its binary name ({@code com.acme.Store}, {@code Outer$Inner}) or by its tail
 * after a dot or dollar ({@code Store}, {@code Inner}). Only loaded, modifiable application classes
 * match: the JDK and the agent are never instrumented.
 */
record MethodPattern(String text, Pattern type, Pattern method) {

    private static final List<String> NEVER = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.",
            "io.parikshan.agent.", "io.parikshan.dsl.", "net.bytebuddy.");

    static MethodPattern parse(String text) {
        int sep = text.indexOf("::");
        if (sep <= 0 || sep + 2 >= text.length() || text.indexOf("::", sep + 2) >= 0) {
            throw new IllegalArgumentException("'" + text + "' is not Class::method (e.g. 'com.acme.Store::get', "
                    + "'Store::get*')");
        }
        return new MethodPattern(text, glob(text.substring(0, sep)), glob(text.substring(sep + 2)));
    }

    private static Pattern glob(String g) {
        List<String> parts = new ArrayList<>();
        for (String part : g.split("\\*", -1)) {
            parts.add(part.isEmpty() ? "" : Pattern.quote(part));
        }
        return Pattern.compile(String.join(".*", parts));
    }

    boolean typeMatches(String name) {
        if (type.matcher(name).matches()) {
            return true;
        }
        int cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('$'));
        return cut >= 0 && type.matcher(name.substring(cut + 1)).matches();
    }

    boolean methodMatches(Method m) {
        int mod = m.getModifiers();
        return !Modifier.isAbstract(mod) && !Modifier.isNative(mod) && !m.isSynthetic() && !m.isBridge()
                && method.matcher(m.getName()).matches();
    }

    /** The loaded classes and their matching methods; refuses, naming the cause, when there are none or too many. */
    Map<Class<?>, List<Method>> resolve(Instrumentation inst, boolean force) {
        Map<Class<?>, List<Method>> found = new LinkedHashMap<>();
        List<String> never = new ArrayList<>();
        TreeSet<String> otherMethods = new TreeSet<>();
        int classes = 0;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.isArray() || c.isPrimitive() || c.isSynthetic() || c.isHidden() || !typeMatches(c.getName())) {
                continue;
            }
            if (NEVER.stream().anyMatch(c.getName()::startsWith) || !inst.isModifiableClass(c)) {
                never.add(c.getName());
                continue;
            }
            classes++;
            List<Method> ms = new ArrayList<>();
            try {
                for (Method m : c.getDeclaredMethods()) {
                    if (methodMatches(m)) {
                        ms.add(m);
                    } else {
                        otherMethods.add(m.getName());
                    }
                }
            } catch (LinkageError e) {
                continue;
            }
            if (!ms.isEmpty()) {
                found.put(c, ms);
            }
        }
        if (found.isEmpty()) {
            if (classes == 0 && !never.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' names " + never.get(0)
                        + ", which is the JDK's or the agent's and is never instrumented: name an application class");
            }
            if (classes == 0) {
                throw new IllegalArgumentException("no loaded class matches '" + text.substring(0, text.indexOf("::"))
                        + "' in this JVM: check the name (a nested class is Outer$Inner) and that the service has used it");
            }
            throw new IllegalArgumentException("no method matches '" + text + "': the class has "
                    + String.join(", ", otherMethods.stream().limit(20).toList()));
        }
        int methods = found.values().stream().mapToInt(List::size).sum();
        if (methods > DiagnosisRequest.METHOD_LIMIT && !force) {
            throw new IllegalArgumentException("'" + text + "' matches " + methods + " methods in " + found.size()
                    + " classes (more than " + DiagnosisRequest.METHOD_LIMIT
                    + "): narrow the pattern, or add --force to instrument them all");
        }
        return found;
    }
}
