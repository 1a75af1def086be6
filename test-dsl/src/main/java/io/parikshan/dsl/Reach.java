package io.parikshan.dsl;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A probe's reach into the live receiver: its fields and methods by name, private ones included,
 * declared on its class or a superclass. Lookups are cached per class and name, as probes run on
 * every call of a probed method.
 */
final class Reach {

    private static final Map<Class<?>, Map<String, Field>> FIELDS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Map<String, Method>> METHODS = new ConcurrentHashMap<>();

    private Reach() {
    }

    static Object field(Object target, String name) {
        Field f = FIELDS.computeIfAbsent(target.getClass(), c -> new ConcurrentHashMap<>())
                .computeIfAbsent(name, n -> findField(target.getClass(), n));
        try {
            return f.get(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + f.getDeclaringClass().getName() + "." + name + ": " + e.getMessage(), e);
        }
    }

    /** Calls the method {@code name} whose parameters accept {@code args}; its own exception is rethrown as it is. */
    static Object call(Object target, String name, Object... args) throws Throwable {
        String key = name + "/" + Arrays.stream(args).map(a -> a == null ? "null" : a.getClass().getName()).toList();
        Method m = METHODS.computeIfAbsent(target.getClass(), c -> new ConcurrentHashMap<>())
                .computeIfAbsent(key, k -> findMethod(target.getClass(), name, args));
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + m + ": " + e.getMessage(), e);
        }
    }

    private static Field findField(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // on to the superclass
            }
        }
        throw new IllegalArgumentException("no field '" + name + "' in " + type.getName() + " or its superclasses");
    }

    private static Method findMethod(Class<?> type, String name, Object[] args) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && accepts(m.getParameterTypes(), args)) {
                    m.setAccessible(true);
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("no method " + name + " in " + type.getName() + " or its superclasses that takes "
                + Arrays.stream(args).map(a -> a == null ? "null" : a.getClass().getSimpleName()).toList());
    }

    private static boolean accepts(Class<?>[] params, Object[] args) {
        if (params.length != args.length) {
            return false;
        }
        for (int i = 0; i < params.length; i++) {
            if (args[i] == null ? params[i].isPrimitive() : !ProbeContext.boxed(params[i]).isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }
}
