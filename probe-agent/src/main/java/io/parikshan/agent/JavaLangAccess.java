package io.parikshan.agent;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * OGNL's compiler defines its accessor classes through {@code ClassLoader.defineClass} by reflection
 * (javassist), which Java 9+ allows only where {@code java.lang} is open. The agent opens it to its
 * own module (the class path's unnamed module, which the agent shares with a class-path application)
 * once, with Instrumentation, as {@code --add-opens java.base/java.lang=ALL-UNNAMED} would at start.
 * It cannot be closed again; the clone keeps it until it ends. Without it, expressions stay interpreted.
 */
final class JavaLangAccess {

    private static volatile boolean opened;

    private JavaLangAccess() {
    }

    static synchronized void open(Instrumentation inst) {
        if (opened) {
            return;
        }
        try {
            Module base = Object.class.getModule();
            Module agent = JavaLangAccess.class.getModule();
            if (!base.isOpen("java.lang", agent)) {
                inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(agent)), Set.of(), Map.of());
            }
            opened = true;
        } catch (RuntimeException e) {
            // Interpreted expressions work without it.
        }
    }
}
